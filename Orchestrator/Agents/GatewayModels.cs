using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Orchestrator.Agents;

/// <summary>
/// A run's model calls go to the Gateway's own <c>/v1/chat/completions</c>, as the key that started the run (a token
/// of the run's), so they meet the same limits, budgets, caches, routing and metering as the tenant's own requests.
/// </summary>
public sealed class GatewayModels(IHttpClientFactory httpClients, InternalTokenIssuer tokens, TimeProvider time)
{
    public const string HttpClientName = "gateway";

    // Tokens live five minutes; a run's is renewed after one, before a step.
    private static readonly TimeSpan TokenReuse = TimeSpan.FromMinutes(1);

    public RunModelClient For(Model.AgentRun run, string model)
    {
        var credential = new ApiKeyCredential(tokens.IssueForAgentRun(run.TenantId, run.KeyId, run.Id));
        var client = new OpenAIClient(credential, new OpenAIClientOptions
        {
            Endpoint = new Uri($"http://{HttpClientName}/v1"),
            Transport = new HttpClientPipelineTransport(httpClients.CreateClient(HttpClientName)),
            // The Gateway and the Orchestrator behind it retry providers; a refusal (a limit, a budget) ends the run.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        });
        return new RunModelClient(client.GetChatClient(model).AsIChatClient(), () => credential.Update(tokens.IssueForAgentRun(run.TenantId, run.KeyId, run.Id)), time);
    }

    /// <summary>The run's chat client to the Gateway, and the renewal of its token.</summary>
    public sealed class RunModelClient(IChatClient client, Action renewToken, TimeProvider time)
    {
        private long _issuedAt = time.GetTimestamp();

        public IChatClient Client => client;

        public void RenewTokenIfOld()
        {
            if (time.GetElapsedTime(_issuedAt) > TokenReuse)
            {
                renewToken();
                _issuedAt = time.GetTimestamp();
            }
        }
    }
}
