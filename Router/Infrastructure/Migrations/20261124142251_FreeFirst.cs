using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Router.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class FreeFirst : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "free_first",
                table: "routing_policies",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "free_first",
                table: "routing_policies");
        }
    }
}
