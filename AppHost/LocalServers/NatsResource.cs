namespace AppHost.LocalServers;

/// <summary>Debian's nats-server with JetStream on loopback, a generated user and password; streams under <c>{data}/{name}</c>.</summary>
public sealed class NatsResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";
    internal const string MonitorEndpointName = "monitor";
    internal const string User = "platform";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"nats://{User}:{Password}@{PrimaryEndpoint.Property(EndpointProperty.IPV4Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}
