namespace AppHost.Hosting;

public enum ResourceState
{
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
    Exited,
    Failed,
}

public enum ResourceHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}
