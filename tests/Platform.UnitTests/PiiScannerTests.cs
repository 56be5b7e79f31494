using Platform.Guardrails;

namespace Platform.UnitTests;

public sealed class PiiScannerTests
{
    [Theory]
    [InlineData("Write to jane.doe+work@example.co.uk today", PiiEntity.Email, "jane.doe+work@example.co.uk")]
    [InlineData("Card 4111 1111 1111 1111 expires soon", PiiEntity.CreditCard, "4111 1111 1111 1111")]
    [InlineData("Pay with 5500-0000-0000-0004.", PiiEntity.CreditCard, "5500-0000-0000-0004")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 please", PiiEntity.Iban, "DE89 3704 0044 0532 0130 00")]
    [InlineData("to GB82WEST12345698765432 now", PiiEntity.Iban, "GB82WEST12345698765432")]
    [InlineData("My SSN is 123-45-6789.", PiiEntity.UsSsn, "123-45-6789")]
    [InlineData("social security number 123456789", PiiEntity.UsSsn, "123456789")]
    [InlineData("from 192.168.10.254 at night", PiiEntity.IpAddress, "192.168.10.254")]
    [InlineData("v6 2001:db8::8a2e:370:7334 too", PiiEntity.IpAddress, "2001:db8::8a2e:370:7334")]
    [InlineData("Call +44 20 7031 3000 tomorrow", PiiEntity.Phone, "+44 20 7031 3000")]
    [InlineData("office: (650) 253-0000.", PiiEntity.Phone, "(650) 253-0000")]
    [InlineData("I was born on 14 March 1987 in Leeds", PiiEntity.DateOfBirth, "14 March 1987")]
    [InlineData("DOB: 1990-02-28", PiiEntity.DateOfBirth, "1990-02-28")]
    [InlineData("Hello, my name is Maria Gonzalez and I need help", PiiEntity.Person, "Maria Gonzalez")]
    [InlineData("Ship it to 221 Baker Street, London", PiiEntity.Address, "221 Baker Street, London")]
    [InlineData("MRN: 00482913 was admitted", PiiEntity.MedicalRecordNumber, "00482913")]
    [InlineData("use sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z as the key", PiiEntity.Secret, "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z")]
    [InlineData("aws AKIAIOSFODNN7EXAMPLE here", PiiEntity.Secret, "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("token Zx8Qp2Lm9Vb4Nc7Rt1Yh6Gf3Dk5Sa0We8Uj2Io7Pq here", PiiEntity.Secret, "Zx8Qp2Lm9Vb4Nc7Rt1Yh6Gf3Dk5Sa0We8Uj2Io7Pq")]
    public void FindsTheEntity_WhereItIs(string text, PiiEntity entity, string value)
    {
        var finding = PiiScanner.Scan(text).ShouldHaveSingleItem();

        finding.Entity.ShouldBe(entity);
        text.Substring(finding.Start, finding.Length).ShouldBe(value);
    }

    [Theory]
    [InlineData("Card 4111 1111 1111 1112 fails Luhn")]
    [InlineData("Order number 1234567812345678 shipped")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 01 has a bad checksum")]
    [InlineData("Ticket 000-12-3456 and 666-12-3456 are not SSNs")]
    [InlineData("Order 123456789 shipped")]
    [InlineData("Invoice 6502530000 is due")]
    [InlineData("Version 3.14 was released on 2021-05-04")]
    [InlineData("Commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed it")]
    [InlineData("The meeting is at 12:30:45 on the third floor")]
    [InlineData("I am Happy to help with the Main Street project")]
    [InlineData("999.1.1.1 is not an address")]
    public void LookAlikes_AreNotFound(string text) => PiiScanner.Scan(text).ShouldBeEmpty();

    [Fact]
    public void EveryEntityOfAText_IsFound_InOrder_WithoutOverlaps()
    {
        var text = "Dr. Alan Turing (alan@example.org, +1 650 253 0000) paid with 378282246310005 from 10.0.0.7.";

        var findings = PiiScanner.Scan(text);

        findings.Select(f => f.Entity).ShouldBe([PiiEntity.Person, PiiEntity.Email, PiiEntity.Phone, PiiEntity.CreditCard, PiiEntity.IpAddress]);
        findings.Zip(findings.Skip(1)).ShouldAllBe(pair => pair.First.End <= pair.Second.Start);
    }
}
