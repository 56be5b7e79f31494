var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandler();

app.MapDefaultEndpoints();
app.MapRoutingPolicyApi();
app.MapDecisionApi();
app.MapProvidersApi();
app.MapIntentsApi();

app.Run();
