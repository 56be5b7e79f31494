using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Tenancy;

#nullable disable

namespace Gateway.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PortalUsers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "api_keys",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "api");

            migrationBuilder.AddColumn<Guid>(
                name: "user_id",
                table: "api_keys",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "tenant_users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    password_hash = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tenant_users", x => x.id);
                    table.ForeignKey(
                        name: "FK_tenant_users_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_user_id",
                table: "api_keys",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "IX_tenant_users_email",
                table: "tenant_users",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_tenant_users_tenant_id",
                table: "tenant_users",
                column: "tenant_id");

            migrationBuilder.AddForeignKey(
                name: "FK_api_keys_tenant_users_user_id",
                table: "api_keys",
                column: "user_id",
                principalTable: "tenant_users",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.EnableTenantIsolation("tenant_users");
            migrationBuilder.Sql("""
                CREATE POLICY tenant_user_lookup ON tenant_users FOR SELECT
                    USING (email = NULLIF(current_setting('app.user_email', true), ''));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_api_keys_tenant_users_user_id",
                table: "api_keys");

            migrationBuilder.DropTable(
                name: "tenant_users");

            migrationBuilder.DropIndex(
                name: "IX_api_keys_user_id",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "user_id",
                table: "api_keys");
        }
    }
}
