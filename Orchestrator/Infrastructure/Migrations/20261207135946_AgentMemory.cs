using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Tenancy;

#nullable disable

namespace Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class AgentMemory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "conversation",
                table: "agent_runs",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "question",
                table: "agent_runs",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "user_id",
                table: "agent_runs",
                type: "character varying(256)",
                maxLength: 256,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "memory_entities",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_entities", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "memory_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    agent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    embedding = table.Column<float[]>(type: "real[]", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "memory_relations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    relation = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    object_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_relations", x => x.id);
                    table.ForeignKey(
                        name: "FK_memory_relations_memory_entities_object_id",
                        column: x => x.object_id,
                        principalTable: "memory_entities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_memory_relations_memory_entities_subject_id",
                        column: x => x.subject_id,
                        principalTable: "memory_entities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_memory_entities_tenant_id_user_id_key",
                table: "memory_entities",
                columns: new[] { "tenant_id", "user_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_memory_entries_tenant_id_user_id_created_at",
                table: "memory_entries",
                columns: new[] { "tenant_id", "user_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_relations_object_id",
                table: "memory_relations",
                column: "object_id");

            migrationBuilder.CreateIndex(
                name: "IX_memory_relations_subject_id",
                table: "memory_relations",
                column: "subject_id");

            migrationBuilder.CreateIndex(
                name: "IX_memory_relations_tenant_id_user_id_subject_id_relation_obje~",
                table: "memory_relations",
                columns: new[] { "tenant_id", "user_id", "subject_id", "relation", "object_id" },
                unique: true);

            migrationBuilder.EnableTenantIsolation("memory_entries");
            migrationBuilder.EnableTenantIsolation("memory_entities");
            migrationBuilder.EnableTenantIsolation("memory_relations");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "memory_entries");

            migrationBuilder.DropTable(
                name: "memory_relations");

            migrationBuilder.DropTable(
                name: "memory_entities");

            migrationBuilder.DropColumn(
                name: "conversation",
                table: "agent_runs");

            migrationBuilder.DropColumn(
                name: "question",
                table: "agent_runs");

            migrationBuilder.DropColumn(
                name: "user_id",
                table: "agent_runs");
        }
    }
}
