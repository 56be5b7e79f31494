using Platform.Networking;

namespace Platform.UnitTests;

public sealed class PublicAddressesTests
{
    [Theory]
    [InlineData("https://93.184.216.34/hook")]
    [InlineData("https://172.32.0.1/hook")]
    [InlineData("https://[2606:4700::1111]/hook")]
    [InlineData("https://[::ffff:8.8.8.8]/hook")]
    public async Task RefusalAsync_PublicAddress_IsAllowed(string url)
    {
        (await Addresses().RefusalAsync(new Uri(url), TestContext.Current.CancellationToken)).ShouldBeNull();
    }

    [Theory]
    [InlineData("http://127.0.0.1:8005/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.16.0.1/hook")]
    [InlineData("http://172.31.255.255/hook")]
    [InlineData("http://192.168.1.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://224.0.0.1/hook")]
    [InlineData("http://198.18.0.1/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/hook")]
    public async Task RefusalAsync_NotPublicAddress_IsRefused(string url)
    {
        var refusal = await Addresses().RefusalAsync(new Uri(url), TestContext.Current.CancellationToken);

        refusal.ShouldNotBeNull().ShouldContain("private, loopback, link-local or reserved address");
    }

    [Theory]
    [InlineData("http://10.20.1.2/hook", true)]
    [InlineData("http://127.0.0.1/hook", true)]
    [InlineData("http://10.21.0.1/hook", false)]
    [InlineData("http://127.0.0.2/hook", false)]
    public async Task RefusalAsync_AllowedNetworks_AreReachable(string url, bool allowed)
    {
        var addresses = Addresses("10.20.0.0/16", "127.0.0.1/32");

        (await addresses.RefusalAsync(new Uri(url), TestContext.Current.CancellationToken) is null).ShouldBe(allowed);
    }

    private static PublicAddresses Addresses(params string[] allowed) => new(allowed, "webhooks");
}
