global using Ingestion.Apis;
global using Ingestion.Extensions;
global using Platform.Contracts;
