var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenAiApi();
app.MapAdminApi();
app.MapPlatformProxy();

app.Run();
