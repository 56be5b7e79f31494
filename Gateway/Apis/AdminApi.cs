namespace Gateway.Apis;

/// <summary>The operators' API, behind the admin key.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("api/v1/admin").RequireAuthorization(GatewayAuthentication.OperatorPolicy);
        admin.MapTenantsApi();
        admin.MapKeysApi();
        admin.MapTenantUsersApi();
        admin.MapPlatformStatusApi();
        admin.MapDiagnosticsApi();
        admin.MapCatalogApi();
        admin.MapBillingAdminApi();
        return app;
    }
}
