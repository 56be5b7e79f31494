namespace Platform.Contracts;

/// <summary>An operator's probe of the event bus: published by the Gateway, recorded by Analytics with its trace.</summary>
public sealed record PlatformPingIntegrationEvent : IntegrationEvent
{
    public const string Subject = "control.ping";
}
