using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Tenancy;

#nullable disable

namespace Billing.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Metering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "included_tokens",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "overage_price_per_million_tokens",
                table: "plans");

            migrationBuilder.AddColumn<decimal>(
                name: "soft_limit",
                table: "plans",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "id",
                table: "plans",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(32)",
                oldMaxLength: 32);

            migrationBuilder.AddColumn<bool>(
                name: "allows_overage",
                table: "plans",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<decimal>(
                name: "hard_limit",
                table: "plans",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "hard_limit_status",
                table: "plans",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<decimal>(
                name: "included_usage",
                table: "plans",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<Guid>(
                name: "tenant_id",
                table: "plans",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "billed_tenants",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    has_limits = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_billed_tenants", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "budget_alerts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    budget_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key_id = table.Column<Guid>(type: "uuid", nullable: true),
                    period = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    period_start = table.Column<DateOnly>(type: "date", nullable: false),
                    threshold = table.Column<int>(type: "integer", nullable: false),
                    limit = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    spent = table.Column<decimal>(type: "numeric(28,12)", precision: 28, scale: 12, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_budget_alerts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "budgets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key_id = table.Column<Guid>(type: "uuid", nullable: true),
                    period = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    limit = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_budgets", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "metered_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    model = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cost = table.Column<decimal>(type: "numeric(28,12)", precision: 28, scale: 12, nullable: false),
                    input_price_per_million = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    output_price_per_million = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    status_code = table.Column<int>(type: "integer", nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metered_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "subscriptions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    plan_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_subscriptions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "usage_counters",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    period = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    period_start = table.Column<DateOnly>(type: "date", nullable: false),
                    key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    model = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cost = table.Column<decimal>(type: "numeric(28,12)", precision: 28, scale: 12, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_usage_counters", x => new { x.tenant_id, x.period, x.period_start, x.key_id, x.model });
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    alert_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_status = table.Column<int>(type: "integer", nullable: true),
                    last_error = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    last_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_deliveries", x => x.alert_id);
                });

            migrationBuilder.CreateTable(
                name: "webhooks",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    secret = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhooks", x => x.tenant_id);
                });

            migrationBuilder.UpdateData(
                table: "plans",
                keyColumn: "id",
                keyValue: "enterprise",
                columns: new[] { "allows_overage", "hard_limit", "hard_limit_status", "included_usage", "soft_limit", "tenant_id" },
                values: new object[] { true, null, 402, 500m, null, null });

            migrationBuilder.UpdateData(
                table: "plans",
                keyColumn: "id",
                keyValue: "free",
                columns: new[] { "allows_overage", "hard_limit", "hard_limit_status", "included_usage", "tenant_id" },
                values: new object[] { false, null, 429, 1m, null });

            migrationBuilder.UpdateData(
                table: "plans",
                keyColumn: "id",
                keyValue: "pro",
                columns: new[] { "allows_overage", "hard_limit", "hard_limit_status", "included_usage", "soft_limit", "tenant_id" },
                values: new object[] { true, null, 429, 20m, null, null });

            migrationBuilder.CreateIndex(
                name: "IX_budget_alerts_budget_id_period_start_threshold",
                table: "budget_alerts",
                columns: new[] { "budget_id", "period_start", "threshold" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_budget_alerts_tenant_id_created_at",
                table: "budget_alerts",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_budgets_tenant_id_key_id_period",
                table: "budgets",
                columns: new[] { "tenant_id", "key_id", "period" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "IX_metered_events_tenant_id_occurred_at",
                table: "metered_events",
                columns: new[] { "tenant_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "IX_subscriptions_tenant_id_starts_at",
                table: "subscriptions",
                columns: new[] { "tenant_id", "starts_at" });

            foreach (var table in new[] { "subscriptions", "budgets", "budget_alerts", "webhooks", "webhook_deliveries", "metered_events", "usage_counters" })
            {
                migrationBuilder.EnableTenantIsolation(table);
            }
            // Public plans (no tenant) are everyone's to read; a custom plan only its tenant's, and only a tenant's are written.
            migrationBuilder.Sql("""
                ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
                ALTER TABLE plans FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON plans
                    USING (tenant_id IS NULL OR tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
                    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP POLICY tenant_isolation ON plans; ALTER TABLE plans NO FORCE ROW LEVEL SECURITY; ALTER TABLE plans DISABLE ROW LEVEL SECURITY;");

            migrationBuilder.DropTable(
                name: "billed_tenants");

            migrationBuilder.DropTable(
                name: "budget_alerts");

            migrationBuilder.DropTable(
                name: "budgets");

            migrationBuilder.DropTable(
                name: "metered_events");

            migrationBuilder.DropTable(
                name: "subscriptions");

            migrationBuilder.DropTable(
                name: "usage_counters");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "webhooks");

            migrationBuilder.DropColumn(
                name: "allows_overage",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "hard_limit",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "hard_limit_status",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "included_usage",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "tenant_id",
                table: "plans");

            migrationBuilder.DropColumn(
                name: "soft_limit",
                table: "plans");

            migrationBuilder.AddColumn<decimal>(
                name: "overage_price_per_million_tokens",
                table: "plans",
                type: "numeric(18,6)",
                precision: 18,
                scale: 6,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "id",
                table: "plans",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AddColumn<long>(
                name: "included_tokens",
                table: "plans",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.UpdateData(
                table: "plans",
                keyColumn: "id",
                keyValue: "enterprise",
                columns: new[] { "included_tokens", "overage_price_per_million_tokens" },
                values: new object[] { 1000000000L, 1m });

            migrationBuilder.UpdateData(
                table: "plans",
                keyColumn: "id",
                keyValue: "free",
                column: "included_tokens",
                value: 1000000L);

            migrationBuilder.UpdateData(
                table: "plans",
                keyColumn: "id",
                keyValue: "pro",
                columns: new[] { "included_tokens", "overage_price_per_million_tokens" },
                values: new object[] { 20000000L, 2m });
        }
    }
}
