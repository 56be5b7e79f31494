global using Realtime.Apis;
global using Realtime.Extensions;
