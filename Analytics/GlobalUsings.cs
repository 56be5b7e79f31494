global using Analytics.Apis;
global using Analytics.Extensions;
