using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Billing.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "plans",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    monthly_fee = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    included_tokens = table.Column<long>(type: "bigint", nullable: false),
                    overage_price_per_million_tokens = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    requests_per_minute = table.Column<int>(type: "integer", nullable: false),
                    tokens_per_minute = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_plans", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "plans",
                columns: new[] { "id", "included_tokens", "monthly_fee", "name", "overage_price_per_million_tokens", "requests_per_minute", "tokens_per_minute" },
                values: new object[,]
                {
                    { "enterprise", 1000000000L, 499m, "Enterprise", 1m, 1000000, 1000000000 },
                    { "free", 1000000L, 0m, "Free", null, 60, 100000 },
                    { "pro", 20000000L, 49m, "Pro", 2m, 600, 2000000 }
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "plans");
        }
    }
}
