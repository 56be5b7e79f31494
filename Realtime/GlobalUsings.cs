global using Platform.Messaging;
global using Platform.Tenancy;
global using Realtime.Apis;
global using Realtime.Extensions;
global using ServiceDefaults;
