using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Tenancy;

#nullable disable

namespace Ingestion.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class DocumentProcessing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "chunk_count",
                table: "documents",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "processed_at",
                table: "documents",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "raw_content",
                table: "documents",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<string>(
                name: "reason",
                table: "documents",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "text",
                table: "documents",
                type: "text",
                nullable: true);

            // Documents stored as text so far keep it as their raw content, and are processed again when re-uploaded.
            migrationBuilder.Sql("UPDATE documents SET raw_content = convert_to(content, 'UTF8')");
            migrationBuilder.DropColumn(
                name: "content",
                table: "documents");

            migrationBuilder.CreateTable(
                name: "document_chunks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    document_id = table.Column<Guid>(type: "uuid", nullable: false),
                    index = table.Column<int>(type: "integer", nullable: false),
                    heading = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    text = table.Column<string>(type: "text", nullable: false),
                    token_count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_chunks", x => x.id);
                    table.ForeignKey(
                        name: "FK_document_chunks_documents_document_id",
                        column: x => x.document_id,
                        principalTable: "documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_document_chunks_document_id_index",
                table: "document_chunks",
                columns: new[] { "document_id", "index" },
                unique: true);

            migrationBuilder.EnableTenantIsolation("document_chunks");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "document_chunks");

            migrationBuilder.DropColumn(
                name: "chunk_count",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "processed_at",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "raw_content",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "reason",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "text",
                table: "documents");

            migrationBuilder.AddColumn<string>(
                name: "content",
                table: "documents",
                type: "text",
                nullable: false,
                defaultValue: "");
        }
    }
}
