using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.FunctionalTests;

public sealed class GatewayAdminApiTests(PlatformFixture platform)
{
    [Fact]
    public async Task AdminApi_WithoutKey_Is401WithProblemDetails()
    {
        using var http = platform.App.CreateHttpClient("gateway");

        var response = await http.GetAsync("/api/v1/admin/tenants", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
    }

    [Fact]
    public async Task AdminApi_WithWrongKey_Is401()
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new("Bearer", platform.AdminKey + "x");

        var response = await http.GetAsync("/api/v1/admin/tenants", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Tenant_Created_IsListedAndFound()
    {
        using var admin = platform.CreateAdminClient();
        var name = $"acme-{Guid.NewGuid():N}"[..20];

        var created = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name, plan = "pro" }, TestContext.Current.CancellationToken);

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var tenant = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        tenant.GetProperty("plan").GetString().ShouldBe("pro");
        tenant.GetProperty("status").GetString().ShouldBe("active");
        var id = tenant.GetProperty("id").GetGuid();
        created.Headers.Location!.ToString().ShouldBe($"/api/v1/admin/tenants/{id}");
        (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/tenants/{id}", TestContext.Current.CancellationToken)).GetProperty("name").GetString().ShouldBe(name);
        var all = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/tenants", TestContext.Current.CancellationToken);
        all!.ShouldContain(t => t.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task Tenant_DuplicateName_Is409()
    {
        using var admin = platform.CreateAdminClient();
        var name = $"dup-{Guid.NewGuid():N}"[..20];
        (await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var again = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name }, TestContext.Current.CancellationToken);

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("{\"name\":\"Not A Name\"}")]
    [InlineData("{\"name\":\"ok-name\",\"plan\":\"platinum\"}")]
    [InlineData("{}")]
    public async Task Tenant_InvalidRequest_Is400WithErrors(string body)
    {
        using var admin = platform.CreateAdminClient();

        var response = await admin.PostAsync("/api/v1/admin/tenants", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors").EnumerateObject().ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Tenant_MalformedJson_Is400NotServerError()
    {
        using var admin = platform.CreateAdminClient();

        var response = await admin.PostAsync("/api/v1/admin/tenants", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Tenant_Unknown_Is404()
    {
        using var admin = platform.CreateAdminClient();

        var response = await admin.GetAsync($"/api/v1/admin/tenants/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
