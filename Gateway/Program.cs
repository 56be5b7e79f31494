var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseGatewayErrors();
// A refused WebSocket is accepted to be told why (an error event, then a close); an admitted one is proxied.
app.UseWebSockets();
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
