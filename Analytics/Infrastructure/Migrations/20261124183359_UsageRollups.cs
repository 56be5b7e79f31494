using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Tenancy;

#nullable disable

namespace Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class UsageRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "latency_bins",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    minute = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    provider = table.Column<string>(type: "text", nullable: false),
                    key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    bin = table.Column<int>(type: "integer", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_latency_bins", x => new { x.tenant_id, x.minute, x.model, x.provider, x.key_id, x.bin });
                });

            migrationBuilder.CreateTable(
                name: "usage_ledger",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_ledger", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "usage_rollups",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    minute = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    provider = table.Column<string>(type: "text", nullable: false),
                    key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    errors = table.Column<long>(type: "bigint", nullable: false),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cost = table.Column<decimal>(type: "numeric", nullable: false),
                    cache_hits = table.Column<long>(type: "bigint", nullable: false),
                    semantic_cache_hits = table.Column<long>(type: "bigint", nullable: false),
                    cacheable_requests = table.Column<long>(type: "bigint", nullable: false),
                    latency_ms_sum = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_rollups", x => new { x.tenant_id, x.minute, x.model, x.provider, x.key_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_usage_ledger_processed_at",
                table: "usage_ledger",
                column: "processed_at")
                .Annotation("Npgsql:IndexMethod", "brin");

            migrationBuilder.EnableTenantIsolation("usage_rollups");
            migrationBuilder.EnableTenantIsolation("latency_bins");

            // The cache_hit_rate gauge covers every tenant. This view, owned by the migrating role (the only role the
            // extra policy lets read across tenants), shows the service each tenant's cache counts per minute and
            // nothing else; the service's own role still reads the tables under tenant isolation only.
            migrationBuilder.Sql("""
                CREATE POLICY platform_cache_counts ON usage_rollups FOR SELECT TO CURRENT_USER USING (true);
                CREATE VIEW platform_cache_counts AS
                    SELECT tenant_id, minute, sum(cache_hits) AS cache_hits, sum(semantic_cache_hits) AS semantic_cache_hits, sum(cacheable_requests) AS cacheable_requests
                    FROM usage_rollups
                    GROUP BY tenant_id, minute;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW platform_cache_counts;");

            migrationBuilder.DropTable(
                name: "latency_bins");

            migrationBuilder.DropTable(
                name: "usage_ledger");

            migrationBuilder.DropTable(
                name: "usage_rollups");
        }
    }
}
