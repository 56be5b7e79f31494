global using Billing.Apis;
global using Billing.Extensions;
