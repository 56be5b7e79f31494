global using Ingestion.Apis;
global using Ingestion.Extensions;
