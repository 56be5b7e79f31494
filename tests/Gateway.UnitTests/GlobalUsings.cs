// The Gateway's parts under test, and the platform's shared types (catalog, routes, executions) as the service uses them.
global using Gateway.Budgets;
global using Gateway.Cache;
global using Gateway.Chat;
global using Gateway.Knowledge;
global using Gateway.Limits;
global using Gateway.OpenAi;
global using Gateway.Services;
global using Gateway.Usage;
global using Platform.Catalog;
global using Platform.Contracts;
