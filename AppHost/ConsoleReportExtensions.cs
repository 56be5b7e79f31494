using Aspire.Hosting.Lifecycle;

namespace AppHost;

public static class ConsoleReportExtensions
{
    /// <summary>Reports readiness, failures (with their reasons) and later health changes on the console.</summary>
    public static IDistributedApplicationBuilder AddConsoleReport(this IDistributedApplicationBuilder builder)
    {
        builder.Services.TryAddEventingSubscriber<ConsoleReport>();
        return builder;
    }
}
