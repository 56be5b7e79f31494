global using Gateway.Apis;
global using Gateway.Extensions;
global using Platform.Catalog;
global using Platform.Contracts;
global using Platform.Messaging;
global using Platform.Tenancy;
global using Platform.Vectors;
global using ServiceDefaults;
