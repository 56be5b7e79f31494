using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Tenancy;

#nullable disable

namespace Router.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class LearnedRouting : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "hedge",
                table: "routing_policies",
                type: "integer",
                nullable: false,
                defaultValue: 2);

            migrationBuilder.AddColumn<string>(
                name: "strategy",
                table: "routing_policies",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "auto");

            migrationBuilder.CreateTable(
                name: "intent_examples",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    intent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    text = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_intent_examples", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_intent_examples_tenant_id",
                table: "intent_examples",
                column: "tenant_id");

            migrationBuilder.EnableTenantIsolation("intent_examples");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "intent_examples");

            migrationBuilder.DropColumn(
                name: "hedge",
                table: "routing_policies");

            migrationBuilder.DropColumn(
                name: "strategy",
                table: "routing_policies");
        }
    }
}
