using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Tenancy;

#nullable disable

namespace Router.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "routing_policies",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    allowed_models = table.Column<string[]>(type: "text[]", nullable: false),
                    max_cost_per_request = table.Column<decimal>(type: "numeric(18,8)", precision: 18, scale: 8, nullable: true),
                    preferred_tiers = table.Column<string[]>(type: "text[]", nullable: false),
                    lambda = table.Column<double>(type: "double precision", nullable: false),
                    tags = table.Column<string[]>(type: "text[]", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_routing_policies", x => x.tenant_id);
                });

            migrationBuilder.EnableTenantIsolation("routing_policies");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "routing_policies");
        }
    }
}
