// The platform's shared types (catalog, routes, decisions) live in this namespace, as in the services.
global using Microsoft.Extensions.Hosting;
