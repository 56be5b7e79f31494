using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.AI;
using Orchestrator.Model;

namespace Orchestrator.Infrastructure;

/// <summary>Agents, their runs and the MCP servers tenants registered; every table tenant-owned under row-level security.</summary>
public sealed class OrchestratorDbContext(DbContextOptions<OrchestratorDbContext> options) : DbContext(options)
{
    public DbSet<Agent> Agents => Set<Agent>();

    public DbSet<AgentVersion> AgentVersions => Set<AgentVersion>();

    public DbSet<AgentRun> AgentRuns => Set<AgentRun>();

    public DbSet<AgentRunEvent> AgentRunEvents => Set<AgentRunEvent>();

    public DbSet<ToolCall> ToolCalls => Set<ToolCall>();

    public DbSet<McpServer> McpServers => Set<McpServer>();

    public DbSet<ToolCapability> ToolCapabilities => Set<ToolCapability>();

    public DbSet<FetchAllowList> FetchAllowLists => Set<FetchAllowList>();

    public DbSet<MemoryEntry> MemoryEntries => Set<MemoryEntry>();

    public DbSet<MemoryEntity> MemoryEntities => Set<MemoryEntity>();

    public DbSet<MemoryRelation> MemoryRelations => Set<MemoryRelation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Agent>(agent =>
        {
            agent.ToTable("agents");
            agent.Property(a => a.Id).HasColumnName("id");
            agent.Property(a => a.TenantId).HasColumnName("tenant_id");
            agent.Property(a => a.Name).HasColumnName("name").HasMaxLength(64);
            agent.Property(a => a.CurrentVersion).HasColumnName("current_version");
            agent.Property(a => a.CreatedAt).HasColumnName("created_at");
            agent.Property(a => a.UpdatedAt).HasColumnName("updated_at");
            agent.HasIndex(a => new { a.TenantId, a.Name }).IsUnique();
        });

        modelBuilder.Entity<AgentVersion>(version =>
        {
            version.ToTable("agent_versions");
            version.HasKey(v => new { v.AgentId, v.Version });
            version.Property(v => v.AgentId).HasColumnName("agent_id");
            version.Property(v => v.TenantId).HasColumnName("tenant_id");
            version.Property(v => v.Version).HasColumnName("version");
            version.Property(v => v.Definition).HasColumnName("definition").HasColumnType("jsonb").HasConversion(Json<AgentDefinition>(), JsonComparer<AgentDefinition>());
            version.Property(v => v.CreatedAt).HasColumnName("created_at");
            version.HasOne<Agent>().WithMany().HasForeignKey(v => v.AgentId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AgentRun>(run =>
        {
            run.ToTable("agent_runs");
            run.Property(r => r.Id).HasColumnName("id");
            run.Property(r => r.TenantId).HasColumnName("tenant_id");
            run.Property(r => r.KeyId).HasColumnName("key_id");
            run.Property(r => r.AgentId).HasColumnName("agent_id");
            run.Property(r => r.AgentName).HasColumnName("agent_name").HasMaxLength(64);
            run.Property(r => r.AgentVersion).HasColumnName("agent_version");
            run.Property(r => r.State).HasColumnName("state").HasConversion<string>().HasMaxLength(16);
            run.Property(r => r.User).HasColumnName("user_id").HasMaxLength(MemoryUserMaxLength);
            run.Property(r => r.Conversation).HasColumnName("conversation").HasMaxLength(MemoryUserMaxLength);
            run.Property(r => r.Question).HasColumnName("question");
            run.Property(r => r.Messages).HasColumnName("messages").HasColumnType("jsonb").HasConversion(Json<List<ChatMessage>>(), JsonComparer<List<ChatMessage>>());
            run.Property(r => r.LastEventSeq).HasColumnName("last_event_seq");
            run.Property(r => r.ModelCalls).HasColumnName("model_calls");
            run.Property(r => r.ToolCalls).HasColumnName("tool_calls");
            run.Property(r => r.InputTokens).HasColumnName("input_tokens");
            run.Property(r => r.OutputTokens).HasColumnName("output_tokens");
            run.Property(r => r.Cost).HasColumnName("cost").HasPrecision(18, 8);
            run.Property(r => r.Answer).HasColumnName("answer");
            run.Property(r => r.ErrorCode).HasColumnName("error_code").HasMaxLength(64);
            run.Property(r => r.ErrorMessage).HasColumnName("error_message").HasMaxLength(2048);
            run.Property(r => r.CancelRequested).HasColumnName("cancel_requested");
            run.Property(r => r.CreatedAt).HasColumnName("created_at");
            run.Property(r => r.StartedAt).HasColumnName("started_at");
            run.Property(r => r.FinishedAt).HasColumnName("finished_at");
            run.HasIndex(r => new { r.TenantId, r.CreatedAt });
            // Events are written with the run's counter in the same transaction: two writers of one run conflict here.
            run.Property(r => r.LastEventSeq).IsConcurrencyToken();
        });

        modelBuilder.Entity<AgentRunEvent>(@event =>
        {
            @event.ToTable("agent_run_events");
            @event.HasKey(e => new { e.RunId, e.Seq });
            @event.Property(e => e.RunId).HasColumnName("run_id");
            @event.Property(e => e.TenantId).HasColumnName("tenant_id");
            @event.Property(e => e.Seq).HasColumnName("seq");
            @event.Property(e => e.Type).HasColumnName("type").HasMaxLength(32);
            @event.Property(e => e.Data).HasColumnName("data").HasColumnType("jsonb");
            @event.Property(e => e.CreatedAt).HasColumnName("created_at");
            @event.HasOne<AgentRun>().WithMany().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ToolCall>(call =>
        {
            call.ToTable("tool_calls");
            call.HasKey(c => new { c.RunId, c.CallId });
            call.Property(c => c.RunId).HasColumnName("run_id");
            call.Property(c => c.CallId).HasColumnName("call_id").HasMaxLength(128);
            call.Property(c => c.TenantId).HasColumnName("tenant_id");
            call.Property(c => c.Step).HasColumnName("step");
            call.Property(c => c.Tool).HasColumnName("tool").HasMaxLength(128);
            call.Property(c => c.AnsweredBy).HasColumnName("answered_by").HasMaxLength(128);
            call.Property(c => c.ArgumentsHash).HasColumnName("arguments_hash").HasMaxLength(64);
            call.Property(c => c.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(64);
            call.Property(c => c.State).HasColumnName("state").HasConversion<string>().HasMaxLength(16);
            call.Property(c => c.Result).HasColumnName("result");
            call.Property(c => c.RequestedAt).HasColumnName("requested_at");
            call.Property(c => c.CompletedAt).HasColumnName("completed_at");
            call.HasOne<AgentRun>().WithMany().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<McpServer>(server =>
        {
            server.ToTable("mcp_servers");
            server.Property(s => s.Id).HasColumnName("id");
            server.Property(s => s.TenantId).HasColumnName("tenant_id");
            server.Property(s => s.Name).HasColumnName("name").HasMaxLength(64);
            server.Property(s => s.Url).HasColumnName("url").HasMaxLength(2048);
            server.Property(s => s.Headers).HasColumnName("headers").HasColumnType("jsonb").HasConversion(Json<Dictionary<string, string>>(), JsonComparer<Dictionary<string, string>>());
            server.Property(s => s.TimeoutSeconds).HasColumnName("timeout_seconds");
            server.Property(s => s.Tools).HasColumnName("tools").HasColumnType("jsonb").HasConversion(Json<List<McpToolInfo>>(), JsonComparer<List<McpToolInfo>>());
            server.Property(s => s.ToolsListedAt).HasColumnName("tools_listed_at");
            server.Property(s => s.CreatedAt).HasColumnName("created_at");
            server.HasIndex(s => new { s.TenantId, s.Name }).IsUnique();
        });

        modelBuilder.Entity<ToolCapability>(capability =>
        {
            capability.ToTable("tool_capabilities");
            capability.Property(c => c.Id).HasColumnName("id");
            capability.Property(c => c.TenantId).HasColumnName("tenant_id");
            capability.Property(c => c.Name).HasColumnName("name").HasMaxLength(64);
            capability.Property(c => c.Description).HasColumnName("description").HasMaxLength(1024);
            capability.Property(c => c.Tools).HasColumnName("tools").HasColumnType("jsonb").HasConversion(Json<List<string>>(), JsonComparer<List<string>>());
            capability.Property(c => c.Policy).HasColumnName("policy").HasColumnType("jsonb").HasConversion(Json<ToolPolicy>(), JsonComparer<ToolPolicy>());
            capability.Property(c => c.Version).HasColumnName("version");
            capability.Property(c => c.UpdatedAt).HasColumnName("updated_at");
            capability.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
        });

        modelBuilder.Entity<FetchAllowList>(list =>
        {
            list.ToTable("fetch_allow_lists");
            list.HasKey(l => l.TenantId);
            list.Property(l => l.TenantId).HasColumnName("tenant_id");
            list.Property(l => l.Hosts).HasColumnName("hosts").HasColumnType("jsonb").HasConversion(Json<List<string>>(), JsonComparer<List<string>>());
            list.Property(l => l.UpdatedAt).HasColumnName("updated_at");
        });

        modelBuilder.Entity<MemoryEntry>(entry =>
        {
            entry.ToTable("memory_entries");
            entry.Property(e => e.Id).HasColumnName("id");
            entry.Property(e => e.TenantId).HasColumnName("tenant_id");
            entry.Property(e => e.User).HasColumnName("user_id").HasMaxLength(MemoryUserMaxLength);
            entry.Property(e => e.Agent).HasColumnName("agent").HasMaxLength(64);
            entry.Property(e => e.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(16);
            entry.Property(e => e.Text).HasColumnName("text");
            entry.Property(e => e.Embedding).HasColumnName("embedding");
            entry.Property(e => e.RunId).HasColumnName("run_id");
            entry.Property(e => e.CreatedAt).HasColumnName("created_at");
            entry.HasIndex(e => new { e.TenantId, e.User, e.CreatedAt });
        });

        modelBuilder.Entity<MemoryEntity>(entity =>
        {
            entity.ToTable("memory_entities");
            entity.Property(e => e.Id).HasColumnName("id");
            entity.Property(e => e.TenantId).HasColumnName("tenant_id");
            entity.Property(e => e.User).HasColumnName("user_id").HasMaxLength(MemoryUserMaxLength);
            entity.Property(e => e.Name).HasColumnName("name").HasMaxLength(MemoryNameMaxLength);
            entity.Property(e => e.Key).HasColumnName("key").HasMaxLength(MemoryNameMaxLength);
            entity.Property(e => e.CreatedAt).HasColumnName("created_at");
            entity.HasIndex(e => new { e.TenantId, e.User, e.Key }).IsUnique();
        });

        modelBuilder.Entity<MemoryRelation>(relation =>
        {
            relation.ToTable("memory_relations");
            relation.Property(r => r.Id).HasColumnName("id");
            relation.Property(r => r.TenantId).HasColumnName("tenant_id");
            relation.Property(r => r.User).HasColumnName("user_id").HasMaxLength(MemoryUserMaxLength);
            relation.Property(r => r.SubjectId).HasColumnName("subject_id");
            relation.Property(r => r.Relation).HasColumnName("relation").HasMaxLength(MemoryNameMaxLength);
            relation.Property(r => r.ObjectId).HasColumnName("object_id");
            relation.Property(r => r.Agent).HasColumnName("agent").HasMaxLength(64);
            relation.Property(r => r.CreatedAt).HasColumnName("created_at");
            relation.HasIndex(r => new { r.TenantId, r.User, r.SubjectId, r.Relation, r.ObjectId }).IsUnique();
            relation.HasOne<MemoryEntity>().WithMany().HasForeignKey(r => r.SubjectId).OnDelete(DeleteBehavior.Cascade);
            relation.HasOne<MemoryEntity>().WithMany().HasForeignKey(r => r.ObjectId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>The longest user or conversation id a run may name (OpenAI allows any string; ours are ids).</summary>
    public const int MemoryUserMaxLength = 256;

    /// <summary>The longest entity name or relation the memory tool stores.</summary>
    public const int MemoryNameMaxLength = 200;

    // Stored as JSON the way Microsoft.Extensions.AI writes its own types, so messages keep their tool calls and
    // results; jsonb orders an object's keys its own way, so a type's "$type" may come back after its other keys.
    private static readonly JsonSerializerOptions StoredJson = new(ExecutionJson.Options) { AllowOutOfOrderMetadataProperties = true };

    private static ValueConverter<T, string> Json<T>() => new(
        value => JsonSerializer.Serialize(value, StoredJson),
        json => JsonSerializer.Deserialize<T>(json, StoredJson)!);

    // Changes inside a stored list or dictionary are seen by comparing the JSON each would be stored as.
    private static ValueComparer<T> JsonComparer<T>() => new(
        (a, b) => JsonSerializer.Serialize(a, StoredJson) == JsonSerializer.Serialize(b, StoredJson),
        value => JsonSerializer.Serialize(value, StoredJson).GetHashCode(StringComparison.Ordinal),
        value => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, StoredJson), StoredJson)!);
}
