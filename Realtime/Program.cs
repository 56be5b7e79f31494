var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandler();

app.UseWebSockets();
app.MapDefaultEndpoints();
app.MapSessionsApi();

app.Run();
