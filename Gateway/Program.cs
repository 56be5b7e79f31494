var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseGatewayErrors();
// After the error handler: a key store that is away answers 503, as everywhere else.
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapOpenAiApi();
app.MapMcpServer();
app.MapAdminApi();
app.MapSessionsApi();
app.MapTenantApi();
app.MapPlatformProxy();

app.Run();
