using Router.Model;
using Router.Services;

namespace Router.UnitTests;

public sealed class CanaryJudgeTests
{
    private static readonly RoutingOptions Settings = new()
    {
        CanaryMinimumOutcomes = 20,
        CanaryErrorTolerance = 0.05,
        CanaryCostTolerance = 0.25,
        CanaryPromoteAfter = 200,
    };

    [Theory]
    [InlineData(19, 50)]
    [InlineData(50, 19)]
    public void Verdict_EitherArmWithTooFewOutcomes_IsNone(long stableOutcomes, long canaryOutcomes)
    {
        // Even a canary failing every request waits for enough evidence on both sides.
        CanaryJudge.Verdict(new ArmFigures(stableOutcomes, 0, 0.01m), new ArmFigures(canaryOutcomes, 1, 0.01m), Settings).ShouldBeNull();
    }

    [Fact]
    public void Verdict_ErrorRateAboveTheStablesPlusTolerance_RollsBack()
    {
        var verdict = CanaryJudge.Verdict(new ArmFigures(100, 0.02, 0.01m), new ArmFigures(100, 0.08, 0.01m), Settings);

        verdict.ShouldNotBeNull().Status.ShouldBe(CanaryStatuses.RolledBack);
        verdict.Value.Reason.ShouldBe("error rate 8.0 % against 2.0 % under the stable policy");
    }

    [Fact]
    public void Verdict_ErrorRateWithinTolerance_KeepsTheTrialGoing()
    {
        CanaryJudge.Verdict(new ArmFigures(100, 0.02, 0.01m), new ArmFigures(100, 0.06, 0.01m), Settings).ShouldBeNull();
    }

    [Fact]
    public void Verdict_CostAboveTheStablesPlusTolerance_RollsBack()
    {
        var verdict = CanaryJudge.Verdict(new ArmFigures(100, 0, 0.001m), new ArmFigures(100, 0, 0.00126m), Settings);

        verdict.ShouldNotBeNull().Status.ShouldBe(CanaryStatuses.RolledBack);
        verdict.Value.Reason.ShouldBe("cost per request 0.00126 USD against 0.001 USD under the stable policy");
    }

    [Fact]
    public void Verdict_CostWithinTolerance_KeepsTheTrialGoing()
    {
        CanaryJudge.Verdict(new ArmFigures(100, 0, 0.001m), new ArmFigures(100, 0, 0.00125m), Settings).ShouldBeNull();
    }

    [Fact]
    public void Verdict_FreeCanaryAgainstAFreeStable_IsNoCostRegression()
    {
        CanaryJudge.Verdict(new ArmFigures(100, 0, 0), new ArmFigures(100, 0, 0), Settings).ShouldBeNull();
    }

    [Fact]
    public void Verdict_HeldForLongEnough_Promotes()
    {
        var verdict = CanaryJudge.Verdict(new ArmFigures(50, 0.01, 0.002m), new ArmFigures(200, 0.01, 0.001m), Settings);

        verdict.ShouldNotBeNull().Status.ShouldBe(CanaryStatuses.Promoted);
        verdict.Value.Reason.ShouldBe("held for 200 requests: error rate 1.0 %, cost per request 0.001 USD");
    }

    [Fact]
    public void Verdict_RegressionAtThePromotionMark_StillRollsBack()
    {
        CanaryJudge.Verdict(new ArmFigures(500, 0, 0.001m), new ArmFigures(500, 0.5, 0.001m), Settings).ShouldNotBeNull().Status.ShouldBe(CanaryStatuses.RolledBack);
    }

    [Fact]
    public void Arms_ReadsEachArmsOutcomesErrorRateAndCostPerRequest()
    {
        var (stable, canary) = CanaryJudge.Arms([
            new("stable:n", 40), new("stable:errors", 10), new("stable:cost", "0.02"),
            new("canary:n", 3), new("canary:errors", 0), new("canary:cost", "1e-3")]);

        stable.ShouldBe(new ArmFigures(40, 0.25, 0.0005m));
        canary.Outcomes.ShouldBe(3);
        canary.ErrorRate.ShouldBe(0);
        canary.CostPerRequest.ShouldBe(0.0003333333m);
    }

    [Fact]
    public void Arms_NothingRecorded_IsZeroes()
    {
        var (stable, canary) = CanaryJudge.Arms([]);

        stable.ShouldBe(new ArmFigures(0, 0, 0));
        canary.ShouldBe(new ArmFigures(0, 0, 0));
    }

    [Fact]
    public void CanaryId_IsTheStartInUtcTicks_WhateverTheOffset()
    {
        var start = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

        CanaryJudge.CanaryId(new PolicyCanary { StartedAt = start })
            .ShouldBe(CanaryJudge.CanaryId(new PolicyCanary { StartedAt = start.ToOffset(TimeSpan.FromHours(2)) }));
        CanaryJudge.CanaryId(new PolicyCanary { StartedAt = start }).ShouldBe(start.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
