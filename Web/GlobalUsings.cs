global using ServiceDefaults;
global using Web.Extensions;
