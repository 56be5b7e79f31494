global using Analytics.Apis;
global using Analytics.Extensions;
global using Platform.Contracts;
global using Platform.Messaging;
global using Platform.Tenancy;
global using ServiceDefaults;
