global using Orchestrator.Apis;
global using Orchestrator.Extensions;
