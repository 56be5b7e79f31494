global using Billing.Apis;
global using Billing.Extensions;
global using Platform.Contracts;
global using Platform.Messaging;
global using Platform.Networking;
global using Platform.Tenancy;
global using ServiceDefaults;
