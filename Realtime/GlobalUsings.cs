global using Platform.Messaging;
global using Realtime.Apis;
global using Realtime.Extensions;
