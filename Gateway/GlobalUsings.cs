global using Gateway.Apis;
global using Gateway.Extensions;
global using Platform.Contracts;
