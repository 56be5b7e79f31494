using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Gateway.Chat;

public static class ChatPipeline
{
    /// <summary>
    /// The chat path, one stage per concern, outermost first; every stage serves whole and streamed answers alike and
    /// undoes or settles what it began, once, however the call ends. Built once: the internal clients it holds renew
    /// their connections themselves (<see cref="InternalServices"/>).
    /// </summary>
    public static void AddChatPipeline(this IServiceCollection services) =>
        services.AddChatClient(s => new OrchestratorChatClient(s.GetRequiredService<OrchestratorClient>()))
            .Use((inner, s) => new AdmissionChatClient(inner, s.GetRequiredService<RateLimiter>(), s.GetRequiredService<BudgetGuard>(),
                s.GetRequiredService<ModelCatalog>(), s.GetRequiredService<IOptions<GatewayOptions>>()))
            .Use((inner, s) => new ExactCacheChatClient(inner, s.GetRequiredService<ExactCache>()))
            .Use((inner, s) => new SemanticCacheChatClient(inner, s.GetRequiredService<SemanticCache>(), s.GetRequiredService<OrchestratorClient>()))
            // Guardrails (PII, prompt injection) take their place here, on what reaches a model and what comes back.
            .Use((inner, s) => new AutoRoutingChatClient(inner, s.GetRequiredService<RouterClient>()))
            .Use((inner, s) => new RetrievalChatClient(inner, s.GetRequiredService<KnowledgeClient>()));
}
