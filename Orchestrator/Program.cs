var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandler();

app.MapDefaultEndpoints();
app.MapProvidersApi();
app.MapExecutionApi();
app.MapAgentsApi();
app.MapAgentRunsApi();
app.MapMemoryApi();
app.MapFetchAllowListApi();
app.MapMcpServersApi();
app.MapCapabilitiesApi();

app.Run();
