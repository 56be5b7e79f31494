using Billing.Model;
using Billing.Services;

namespace Billing.UnitTests;

public sealed class BudgetEnforcerTests
{
    private const decimal SoftRatio = 0.8m;
    private static readonly DateOnly Today = new(2025, 3, 14);
    private static readonly Guid KeyId = Guid.NewGuid();

    [Fact]
    public void Evaluate_NoBudgetsNorPlan_HasNoLimitsNorPressure()
    {
        var (limits, reached, pressure) = BudgetEnforcer.Evaluate([], plan: null, Spend(tenantDay: 1_000), SoftRatio);

        limits.ShouldBeEmpty();
        reached.ShouldBeNull();
        pressure.ShouldBeFalse();
    }

    [Fact]
    public void Evaluate_Budgets_AreLimitsByScopeAndPeriod()
    {
        var (limits, _, _) = BudgetEnforcer.Evaluate([TenantBudget(BudgetState.Day, 10), KeyBudget(BudgetState.Month, 50)], null, Spend(), SoftRatio);

        limits.ShouldBe(new Dictionary<string, decimal> { ["tenant:day"] = 10, [$"{KeyId}:month"] = 50 }, ignoreOrder: true);
    }

    [Theory]
    [InlineData(7.99, false, false)]
    [InlineData(8, false, true)]
    [InlineData(9.99, false, true)]
    [InlineData(10, true, true)]
    [InlineData(25, true, true)]
    public void Evaluate_TenantBudget_BlocksAtItsLimit_AndPressesFromItsSoftShare(double spent, bool blocks, bool presses)
    {
        var (_, reached, pressure) = BudgetEnforcer.Evaluate([TenantBudget(BudgetState.Day, 10)], null, Spend(tenantDay: (decimal)spent), SoftRatio);

        reached.ShouldBe(blocks ? "tenant:day" : null);
        pressure.ShouldBe(presses);
    }

    [Fact]
    public void Evaluate_KeyBudgetReached_DoesNotBlockTheTenant()
    {
        var (_, reached, pressure) = BudgetEnforcer.Evaluate([KeyBudget(BudgetState.Day, 5)], null, Spend(tenantDay: 6, keyDay: 6), SoftRatio);

        reached.ShouldBeNull();
        pressure.ShouldBeTrue();
    }

    [Fact]
    public void Evaluate_MonthlyBudgetReached_BlocksForTheMonth()
    {
        var (_, reached, _) = BudgetEnforcer.Evaluate([TenantBudget(BudgetState.Day, 100), TenantBudget(BudgetState.Month, 40)], null, Spend(tenantDay: 5, tenantMonth: 40), SoftRatio);

        reached.ShouldBe("tenant:month");
    }

    [Theory]
    [InlineData(null, 50)]
    [InlineData(30, 30)]
    [InlineData(80, 50)]
    public void Evaluate_PlanWithoutOverage_CapsTheMonthAtItsIncludedUsage(int? monthBudget, int limit)
    {
        Budget[] budgets = monthBudget is { } budget ? [TenantBudget(BudgetState.Month, budget)] : [];
        var plan = new Plan { Id = "free", Name = "Free", IncludedUsage = 50, AllowsOverage = false };

        var (limits, reached, _) = BudgetEnforcer.Evaluate(budgets, plan, Spend(tenantMonth: limit), SoftRatio);

        limits["tenant:month"].ShouldBe(limit);
        reached.ShouldBe("tenant:month");
    }

    [Fact]
    public void Evaluate_PlanWithOverage_CapsOnlyAtItsHardLimit()
    {
        var open = new Plan { Id = "pro", Name = "Pro", IncludedUsage = 50, AllowsOverage = true };
        var capped = new Plan { Id = "pro", Name = "Pro", IncludedUsage = 50, AllowsOverage = true, HardLimit = 200 };

        BudgetEnforcer.Evaluate([], open, Spend(tenantMonth: 1_000), SoftRatio).Limits.ShouldBeEmpty();
        BudgetEnforcer.Evaluate([], capped, Spend(tenantMonth: 1_000), SoftRatio).Limits["tenant:month"].ShouldBe(200);
    }

    [Fact]
    public void Evaluate_PlansSoftLimit_PressesWithoutAnyBudget()
    {
        var plan = new Plan { Id = "pro", Name = "Pro", AllowsOverage = true, SoftLimit = 40 };

        BudgetEnforcer.Evaluate([], plan, Spend(tenantMonth: 39.99m), SoftRatio).Pressure.ShouldBeFalse();
        BudgetEnforcer.Evaluate([], plan, Spend(tenantMonth: 40), SoftRatio).Pressure.ShouldBeTrue();
    }

    [Theory]
    [InlineData(49.99, new int[0])]
    [InlineData(50, new[] { 50 })]
    [InlineData(79.99, new[] { 50 })]
    [InlineData(80, new[] { 50, 80 })]
    [InlineData(100, new[] { 50, 80, 100 })]
    [InlineData(250, new[] { 50, 80, 100 })]
    public void ThresholdsReachedBy_Spend_CrossesEachThresholdAtItsShare(double spent, int[] thresholds)
    {
        TenantBudget(BudgetState.Month, 100).ThresholdsReachedBy((decimal)spent).ShouldBe(thresholds);
    }

    [Theory]
    [InlineData(false, 50, null, 50)]
    [InlineData(false, 50, 30, 30)]
    [InlineData(true, 50, null, null)]
    [InlineData(true, 50, 300, 300)]
    public void MonthlyCap_IsIncludedUsageWithoutOverage_ElseTheHardLimit(bool overage, int included, int? hardLimit, int? cap)
    {
        new Plan { Id = "p", Name = "P", AllowsOverage = overage, IncludedUsage = included, HardLimit = hardLimit }.MonthlyCap.ShouldBe(cap);
    }

    private static Budget TenantBudget(string period, decimal limit) => new() { Id = Guid.NewGuid(), Period = period, Limit = limit };

    private static Budget KeyBudget(string period, decimal limit) => new() { Id = Guid.NewGuid(), KeyId = KeyId, Period = period, Limit = limit };

    private static Spending Spend(decimal tenantDay = 0, decimal tenantMonth = 0, decimal keyDay = 0)
    {
        var other = Guid.NewGuid();
        return Spending.From(Today, [
            (BudgetState.Day, KeyId, keyDay), (BudgetState.Day, other, tenantDay - keyDay),
            (BudgetState.Month, KeyId, keyDay), (BudgetState.Month, other, Math.Max(tenantMonth, tenantDay) - keyDay)]);
    }
}
