using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using AppHost.Hosting.Processes;
using Npgsql;

namespace AppHost.Hosting.Resources;

/// <summary>
/// Debian's PostgreSQL server, run as the <c>postgres</c> OS user with its data under <c>.data/postgres</c>.
/// It owns two roles: an owner for migrations and an app role for services, neither superuser nor BYPASSRLS.
/// </summary>
public sealed class PostgresServerResource(string name) : ProcessResource(name)
{
    public const string OwnerRole = "platform_owner";
    public const string AppRole = "platform_app";
    private const int DefaultPort = 15432;

    private string? _binDirectory;
    private string? _dataDirectory;

    public override string Type => "postgres";

    public int Port { get; private set; }

    public override string? Url => $"postgres://127.0.0.1:{Port}";

    internal List<PostgresDatabaseResource> Databases { get; } = [];

    // PostgreSQL stops a fast shutdown on SIGINT; SIGTERM would wait for every client to leave.
    private protected override int StopSignal => Posix.SigInt;

    private protected override TimeSpan StopGrace => TimeSpan.FromSeconds(20);

    internal override void AssignPorts(PortAllocator ports) => Port = ports.Take(Name, DefaultPort);

    internal string ConnectionString(ResourceContext context, string database, string role) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = role,
        Password = Password(context, role),
        // The AppHost's own superuser sessions are few; unpooled, none survives a restart of the server as a dead connection.
        Pooling = role != "postgres",
    }.ConnectionString;

    internal override IEnumerable<string> FindMissingPrerequisites(ResourceContext context)
    {
        _binDirectory = context.Options.PostgresBinDirectory
            ?? (Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
                : null);
        if (_binDirectory is null || !File.Exists(Path.Combine(_binDirectory, "postgres")) || !File.Exists(Path.Combine(_binDirectory, "initdb")))
        {
            yield return $"PostgreSQL server binaries (postgres, initdb) in {_binDirectory ?? "/usr/lib/postgresql/<version>/bin"}";
        }
        if (Posix.IsRoot && !File.Exists("/usr/bin/setpriv"))
        {
            yield return "setpriv (util-linux), to run PostgreSQL as the postgres user";
        }
    }

    private protected override async Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var root = await ResolveRootAsync(context);
        _dataDirectory = Path.Combine(root, "data");
        var log = context.LogFor(this);

        if (Directory.Exists(_dataDirectory) && Directory.EnumerateFileSystemEntries(_dataDirectory).Any())
        {
            if (!File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
            {
                throw new DistributedApplicationException(
                    $"{_dataDirectory} is not a PostgreSQL data directory (PG_VERSION is missing), so the data folder looks damaged. " +
                    "Nothing was changed: restore it, or move it aside (or delete the data folder) to start afresh.");
            }
            log.Write($"Reusing the data in {_dataDirectory}.");
            return;
        }

        log.Write($"Creating a new cluster in {_dataDirectory}.");
        Directory.CreateDirectory(_dataDirectory);
        var passwordFile = Path.Combine(root, ".initdb-password");
        await File.WriteAllTextAsync(passwordFile, Password(context, "postgres"), cancellationToken);
        try
        {
            await GiveToPostgresAsync(root);
            var initdb = StartAsPostgres(Path.Combine(_binDirectory!, "initdb"),
                "-D", _dataDirectory, "-U", "postgres", "-E", "UTF8", "--no-locale",
                "--auth-local=peer", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}");
            using var process = ManagedProcess.Start(initdb, log);
            if (await process.Exited.WaitAsync(cancellationToken) != 0)
            {
                throw new DistributedApplicationException($"initdb failed; see {log.FilePath}.{log.Tail()}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private protected override ProcessStartInfo CreateStartInfo(ResourceContext context, int replica)
    {
        List<string> arguments =
        [
            "-D", _dataDirectory!, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300",
        ];
        if (context.Options.FastPostgres)
        {
            arguments.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }
        return StartAsPostgres(Path.Combine(_binDirectory!, "postgres"), [.. arguments]);
    }

    internal override async Task<HealthReport> CheckHealthAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString(context, "postgres", "postgres") + ";Timeout=3");
            await connection.OpenAsync(cancellationToken);
            return HealthReport.Healthy($"PostgreSQL {connection.ServerVersion}");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthReport.Unhealthy(ex.Message);
        }
    }

    private protected override async Task OnHealthyAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        // Idempotent: the roles exist after the first run, their passwords follow .data/secrets.
        await using var connection = new NpgsqlConnection(ConnectionString(context, "postgres", "postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OwnerRole}') THEN CREATE ROLE {OwnerRole}; END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AppRole}') THEN CREATE ROLE {AppRole}; END IF;
            END $$;
            ALTER ROLE {OwnerRole} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '{Password(context, OwnerRole)}';
            ALTER ROLE {AppRole} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '{Password(context, AppRole)}';
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Passwords are hex, so they are safe inside SQL literals and connection strings.
    private string Password(ResourceContext context, string role) =>
        context.Secrets.GetOrCreate($"secrets/{Name}-{role}-password", SecretStore.NewPassword);

    /// <summary>
    /// The folder PostgreSQL keeps its cluster in: <c>.data/postgres</c> when the postgres user can reach it; otherwise
    /// (a checkout under a private folder) a folder under /var/lib/postgresql that <c>.data/postgres</c> links to.
    /// </summary>
    private async Task<string> ResolveRootAsync(ResourceContext context)
    {
        var root = context.PathFor(Name);
        if (new FileInfo(root).LinkTarget is { } target)
        {
            return target;
        }
        Directory.CreateDirectory(root);
        if (!Posix.IsRoot || await Posix.RunAsync("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "test", "-x", root) == 0)
        {
            return root;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(root))))[..12];
        var elsewhere = Path.Combine("/var/lib/postgresql/ai-platform", hash);
        Directory.CreateDirectory(elsewhere);
        Directory.Delete(root);
        Directory.CreateSymbolicLink(root, elsewhere);
        context.LogFor(this).Write($"The postgres user cannot reach {root}; keeping the cluster in {elsewhere} (linked from there).");
        return elsewhere;
    }

    private static async Task GiveToPostgresAsync(string path)
    {
        if (Posix.IsRoot && await Posix.RunAsync("chown", "-R", "postgres:postgres", path) != 0)
        {
            throw new DistributedApplicationException($"Could not hand {path} to the postgres user (chown failed).");
        }
    }

    // PostgreSQL refuses to run as root; setpriv runs it as postgres without an extra process in between.
    private static ProcessStartInfo StartAsPostgres(string program, params string[] arguments)
    {
        var info = Posix.IsRoot
            ? new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        info.WorkingDirectory = "/";
        return info;
    }
}
