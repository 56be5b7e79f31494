using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ingestion.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class HybridSearchAndEmbeddingModels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "embedding_model",
                table: "document_chunks",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            // The full-text half of hybrid search: the chunk's heading and text as English lexemes, kept by PostgreSQL.
            migrationBuilder.Sql("""
                ALTER TABLE document_chunks ADD COLUMN search_vector tsvector
                    GENERATED ALWAYS AS (to_tsvector('english', coalesce(heading, '') || ' ' || text)) STORED;
                CREATE INDEX ix_document_chunks_search_vector ON document_chunks USING GIN (search_vector);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE document_chunks DROP COLUMN search_vector;");

            migrationBuilder.DropColumn(
                name: "embedding_model",
                table: "document_chunks");
        }
    }
}
