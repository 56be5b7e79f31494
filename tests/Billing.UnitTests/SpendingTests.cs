using Billing.Services;

namespace Billing.UnitTests;

public sealed class SpendingTests
{
    private static readonly Guid First = Guid.NewGuid();
    private static readonly Guid Second = Guid.NewGuid();

    [Fact]
    public void From_TenantSpend_IsTheSumOfItsKeysPerPeriod()
    {
        var spend = Spending.From(new DateOnly(2025, 3, 14), [
            (BudgetState.Day, First, 1.5m), (BudgetState.Day, Second, 2.25m), (BudgetState.Month, First, 10m), (BudgetState.Month, Second, 20m)]);

        spend.Of("tenant:day").ShouldBe(3.75m);
        spend.Of("tenant:month").ShouldBe(30m);
        spend.Of($"{First}:day").ShouldBe(1.5m);
        spend.Of($"{Second}:month").ShouldBe(20m);
    }

    [Fact]
    public void Of_NothingSpent_IsZero()
    {
        var spend = Spending.From(new DateOnly(2025, 3, 14), []);

        spend.Of("tenant:day").ShouldBe(0);
        spend.Of("tenant:month").ShouldBe(0);
        spend.Of($"{First}:day").ShouldBe(0);
    }

    [Theory]
    [InlineData(2025, 3, 14, 2025, 3, 1)]
    [InlineData(2025, 3, 1, 2025, 3, 1)]
    [InlineData(2024, 2, 29, 2024, 2, 1)]
    public void MonthStart_IsTheFirstOfTodaysMonth(int year, int month, int day, int startYear, int startMonth, int startDay)
    {
        var spend = Spending.From(new DateOnly(year, month, day), []);

        spend.Today.ShouldBe(new DateOnly(year, month, day));
        spend.MonthStart.ShouldBe(new DateOnly(startYear, startMonth, startDay));
    }
}
