using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Tenancy;

#nullable disable

namespace Router.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PolicyCanaries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "policy_canaries",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    policy = table.Column<string>(type: "jsonb", nullable: false),
                    share = table.Column<double>(type: "double precision", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_policy_canaries", x => x.tenant_id);
                });

            migrationBuilder.EnableTenantIsolation("policy_canaries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "policy_canaries");
        }
    }
}
