// The platform's shared types (catalog, routes, executions), as the service uses them.
global using Platform.Catalog;
global using Platform.Contracts;
global using Platform.Vectors;
