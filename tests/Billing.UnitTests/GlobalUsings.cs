// The platform's shared types (budget state, events) live in this namespace, as in the services.
global using Microsoft.Extensions.Hosting;
