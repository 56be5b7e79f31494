namespace Gateway.Apis;

/// <summary>
/// The platform as an MCP server, streamable HTTP at <c>/mcp</c>: a tenant key with the <c>inference</c> scope sees
/// its knowledge search and its agents as tools (<see cref="KnowledgeSearchTool"/>, <see cref="AgentTools"/>). A key
/// refused there gets ProblemDetails, as on every path outside <c>/v1</c>.
/// </summary>
public static class McpServerApi
{
    public static IEndpointRouteBuilder MapMcpServer(this IEndpointRouteBuilder app)
    {
        app.MapMcp("/mcp").RequireAuthorization(GatewayAuthentication.InferencePolicy);
        return app;
    }
}
