global using Billing.Apis;
global using Billing.Extensions;
global using Platform.Contracts;
