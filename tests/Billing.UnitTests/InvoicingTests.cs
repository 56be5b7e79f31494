using Billing.Model;
using Billing.Services;

namespace Billing.UnitTests;

public sealed class InvoicingTests
{
    private static readonly DateOnly March = new(2025, 3, 1);
    private static readonly DateTimeOffset MarchStart = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset MidMarch = MarchStart.AddDays(15);

    private static readonly Dictionary<string, Plan> Plans = new()
    {
        ["free"] = new() { Id = "free", Name = "Free", MonthlyFee = 0, IncludedUsage = 1 },
        ["pro"] = new() { Id = "pro", Name = "Pro", MonthlyFee = 31, IncludedUsage = 31 },
    };

    [Fact]
    public void Compute_OnePlanAllMonth_ChargesItsFee_AndCreditsIncludedUsageUpToTheUsage()
    {
        var invoice = Invoicing.Compute(March, MidMarch, [Subscription("pro", MarchStart.AddMonths(-2))], Plans, [Usage("openai/gpt-4o", 12.345678m)]);

        invoice.Month.ShouldBe("2025-03");
        invoice.PeriodStart.ShouldBe(MarchStart);
        invoice.PeriodEnd.ShouldBe(MarchStart.AddMonths(1));
        invoice.Currency.ShouldBe("usd");
        invoice.Lines.Select(l => (l.Type, l.Amount)).ShouldBe([("subscription", 31m), ("usage", 12.345678m), ("credit", -12.345678m)]);
        invoice.Lines[0].From.ShouldBe(MarchStart);
        invoice.Lines[0].To.ShouldBe(MarchStart.AddMonths(1));
        invoice.Total.ShouldBe(31m);
    }

    [Fact]
    public void Compute_UsageBeyondTheIncluded_IsBilled()
    {
        var invoice = Invoicing.Compute(March, MidMarch, [Subscription("pro", MarchStart)], Plans, [Usage("a/x", 40m), Usage("b/y", 5.5m)]);

        invoice.Lines.Single(l => l.Type == "credit").Amount.ShouldBe(-31m);
        invoice.Total.ShouldBe(31m + 45.5m - 31m);
    }

    [Fact]
    public void Compute_PlanChangedMidMonth_ProratesFeesAndIncludedUsageBySeconds()
    {
        // Free for the first 10 of March's 31 days, then pro for 21.
        var changed = MarchStart.AddDays(10);
        Subscription[] subscriptions = [Subscription("free", MarchStart.AddMonths(-1)), Subscription("pro", changed)];

        var invoice = Invoicing.Compute(March, MidMarch, subscriptions, Plans, [Usage("a/x", 100m)]);

        var fees = invoice.Lines.Where(l => l.Type == "subscription").ToList();
        fees.Select(l => (l.Plan, l.From, l.To)).ShouldBe([("free", (DateTimeOffset?)MarchStart, (DateTimeOffset?)changed), ("pro", changed, MarchStart.AddMonths(1))]);
        fees[0].Amount.ShouldBe(0m);
        fees[1].Amount.ShouldBe(21m);
        // Included: 1 × 10/31 + 31 × 21/31.
        invoice.Lines.Single(l => l.Type == "credit").Amount.ShouldBe(-Math.Round(10m / 31 + 21m, 6));
    }

    [Fact]
    public void Compute_OnlyTheLastSubscriptionBeforeTheMonth_Counts()
    {
        Subscription[] subscriptions = [Subscription("pro", MarchStart.AddMonths(-3)), Subscription("free", MarchStart.AddMonths(-1))];

        var invoice = Invoicing.Compute(March, MidMarch, subscriptions, Plans, []);

        invoice.Lines.ShouldHaveSingleItem().Plan.ShouldBe("free");
    }

    [Fact]
    public void Compute_FebruaryProration_UsesItsOwnLength()
    {
        var february = new DateOnly(2025, 2, 1);
        var start = new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero);

        var invoice = Invoicing.Compute(february, start.AddDays(20), [Subscription("free", start.AddMonths(-1)), Subscription("pro", start.AddDays(14))], Plans, []);

        invoice.Lines.Single(l => l.Plan == "pro").Amount.ShouldBe(Math.Round(31m * 14 / 28, 6));
    }

    [Fact]
    public void Compute_UsageLines_PerModelAndPrice_InOrder_LeavingFreeUsageOut()
    {
        MeteredUsage[] usage =
        [
            Usage("z/model", 1m),
            Usage("a/model", 2m, inputPrice: 3),
            Usage("a/model", 1m, inputPrice: 2.5m),
            Usage("local/local-chat", 0m, requests: 40),
        ];

        var invoice = Invoicing.Compute(March, MidMarch, [], Plans, usage);

        invoice.Lines.Select(l => (l.Model, l.InputPricePerMillion)).ShouldBe([("a/model", (decimal?)2.5m), ("a/model", 3m), ("z/model", 1m)]);
        invoice.Totals.Requests.ShouldBe(43);
        invoice.Totals.Cost.ShouldBe(4m);
        invoice.Lines[0].Description.ShouldBe("a/model: 1,000 input and 500 output tokens");
    }

    [Fact]
    public void Compute_NoSubscription_BillsUsageOnly_WithoutCredit()
    {
        var invoice = Invoicing.Compute(March, MidMarch, [], Plans, [Usage("a/x", 2m)]);

        invoice.Lines.ShouldHaveSingleItem().Type.ShouldBe("usage");
        invoice.Total.ShouldBe(2m);
    }

    [Fact]
    public void Compute_SubscriptionToAnUnknownPlan_IsLeftOut()
    {
        Invoicing.Compute(March, MidMarch, [Subscription("retired", MarchStart)], Plans, []).Lines.ShouldBeEmpty();
    }

    [Fact]
    public void Compute_TotalIsRoundedToTheCentOnce_HalfAwayFromZero()
    {
        MeteredUsage[] usage = [Usage("a/x", 0.002m), Usage("b/y", 0.003m)];

        var invoice = Invoicing.Compute(March, MidMarch, [], Plans, usage);

        invoice.Subtotal.ShouldBe(0.005m);
        invoice.Total.ShouldBe(0.01m);
    }

    [Theory]
    [InlineData(0, "preview")]
    [InlineData(30, "preview")]
    [InlineData(31, "final")]
    public void Compute_Status_IsFinalOnceTheMonthIsOver(int daysIn, string status)
    {
        Invoicing.Compute(March, MarchStart.AddDays(daysIn), [], Plans, []).Status.ShouldBe(status);
    }

    private static Subscription Subscription(string plan, DateTimeOffset startsAt) => new() { Id = Guid.NewGuid(), PlanId = plan, StartsAt = startsAt };

    private static MeteredUsage Usage(string model, decimal cost, decimal inputPrice = 1, long requests = 1) =>
        new(model, inputPrice, 2, requests, 1_000, 500, cost);
}
