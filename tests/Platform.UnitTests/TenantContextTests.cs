using Platform.Tenancy;

namespace Platform.UnitTests;

public sealed class TenantContextTests
{
    [Fact]
    public void Enter_SameTenantTwice_Keeps()
    {
        var tenant = new TenantContext();
        var id = Guid.NewGuid();

        tenant.Enter(id);
        tenant.Enter(id);

        tenant.RequiredTenantId.ShouldBe(id);
    }

    [Fact]
    public void Enter_AnotherTenant_Throws()
    {
        var tenant = new TenantContext();
        tenant.Enter(Guid.NewGuid());

        Should.Throw<InvalidOperationException>(() => tenant.Enter(Guid.NewGuid()));
    }

    [Fact]
    public void RequiredTenantId_WithoutTenant_Throws()
    {
        Should.Throw<InvalidOperationException>(() => new TenantContext().RequiredTenantId);
    }
}
