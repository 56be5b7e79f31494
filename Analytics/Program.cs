var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandler();

app.MapDefaultEndpoints();
app.MapDiagnosticsApi();
app.MapUsageApi();

app.Run();
