using Platform.Guardrails;

namespace Platform.UnitTests;

public sealed class PiiMaskingTests
{
    private const string Text = "Mail ana@example.com or bo@example.com, card 4111 1111 1111 1111, and ana@example.com again.";

    [Fact]
    public void Masking_NumbersEachValueOnce_AndTheAnswerIsUnmasked()
    {
        var masking = new PiiMasking();

        var masked = masking.Apply(Text, PiiScanner.Scan(Text), entity => entity == PiiEntity.Email ? PiiAction.Mask : PiiAction.Allow, out var blocked);

        blocked.ShouldBeNull();
        masked.ShouldBe("Mail <EMAIL_1> or <EMAIL_2>, card 4111 1111 1111 1111, and <EMAIL_1> again.");
        masking.Unmask("Wrote to <EMAIL_2> and <EMAIL_1>.").ShouldBe("Wrote to bo@example.com and ana@example.com.");
    }

    [Fact]
    public void AnotherTextOfTheRequest_GetsTheSamePlaceholders()
    {
        var masking = new PiiMasking();
        masking.Apply(Text, PiiScanner.Scan(Text), _ => PiiAction.Mask, out _);

        const string later = "And bo@example.com, or carl@example.com?";
        masking.Apply(later, PiiScanner.Scan(later), _ => PiiAction.Mask, out _).ShouldBe("And <EMAIL_2>, or <EMAIL_3>?");
    }

    [Fact]
    public void Redaction_LeavesOnlyTheEntitysName()
    {
        var redacted = new PiiMasking().Apply(Text, PiiScanner.Scan(Text), entity => entity == PiiEntity.CreditCard ? PiiAction.Redact : PiiAction.Allow, out _);

        redacted.ShouldBe("Mail ana@example.com or bo@example.com, card <CREDIT_CARD>, and ana@example.com again.");
    }

    [Fact]
    public void ABlockedEntity_IsNamed_AndNothingIsReturned()
    {
        var masking = new PiiMasking();

        var result = masking.Apply(Text, PiiScanner.Scan(Text), entity => entity == PiiEntity.CreditCard ? PiiAction.Block : PiiAction.Mask, out var blocked);

        result.ShouldBeNull();
        blocked.ShouldBe(PiiEntity.CreditCard);
        masking.Values.ShouldBeEmpty();
    }
}
