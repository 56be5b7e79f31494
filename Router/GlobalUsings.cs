global using Router.Apis;
global using Router.Extensions;
