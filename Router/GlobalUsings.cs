global using Platform.Catalog;
global using Platform.Contracts;
global using Platform.Messaging;
global using Platform.Tenancy;
global using Router.Apis;
global using Router.Extensions;
global using ServiceDefaults;
