using Gateway.Services;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseGatewayErrors();

app.MapDefaultEndpoints();
app.MapOpenAiApi();
app.MapAdminApi();
app.MapSessionsApi();
app.MapTenantApi();
app.MapPlatformProxy();

app.Run();
