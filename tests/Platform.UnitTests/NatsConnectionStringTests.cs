using Platform.Messaging;

namespace Platform.UnitTests;

public sealed class NatsConnectionStringTests
{
    [Fact]
    public void ToOptions_CredentialsInUrl_MoveToAuthOptions()
    {
        var options = NatsClientExtensions.ToOptions("nats://platform:s3cr%40t@127.0.0.1:14222", "gateway");

        options.Url.ShouldNotContain("s3cr");
        options.Url.ShouldStartWith("nats://127.0.0.1:14222");
        options.AuthOpts.Username.ShouldBe("platform");
        options.AuthOpts.Password.ShouldBe("s3cr@t");
        options.Name.ShouldBe("gateway");
    }

    [Fact]
    public void ToOptions_NoCredentials_LeavesAuthEmpty()
    {
        var options = NatsClientExtensions.ToOptions("nats://127.0.0.1:4222", "router");

        options.AuthOpts.Username.ShouldBeNull();
        options.Url.ShouldStartWith("nats://127.0.0.1:4222");
    }
}
