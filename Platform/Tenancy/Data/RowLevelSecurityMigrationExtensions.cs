using Microsoft.EntityFrameworkCore.Migrations;

namespace Platform.Tenancy;

public static class RowLevelSecurityMigrationExtensions
{
    /// <summary>
    /// Confines <paramref name="table"/> to the tenant in <c>app.tenant_id</c>, for reads and writes, even for its owner.
    /// An unset tenant reads as '' (not NULL) after a reset, hence NULLIF.
    /// </summary>
    public static void EnableTenantIsolation(this MigrationBuilder migrationBuilder, string table, string column = "tenant_id")
    {
        migrationBuilder.Sql($"""
            ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
            ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON {table}
                USING ({column} = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK ({column} = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
            """);
    }
}
