global using Orchestrator.Apis;
global using Orchestrator.Extensions;
global using Platform.Contracts;
