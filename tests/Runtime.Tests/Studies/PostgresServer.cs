using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace NasNotebooks.Runtime.Tests.Studies;

/// <summary>
/// A throw-away PostgreSQL server for the tests: initdb + pg_ctl on a temp folder (as the
/// <c>postgres</c> user when running as root, since both refuse root), a free port on 127.0.0.1,
/// stopped and deleted at the end.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _dir;
    private readonly string _pgCtl;
    private readonly bool _asPostgres;

    public PostgresServer()
    {
        var bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin or on PATH. " +
            "Install them with `apt-get install -y postgresql` (CI does) to run the multi-worker study tests.");
        _pgCtl = Path.Combine(bin, "pg_ctl");
        _asPostgres = Environment.UserName == "root";
        _dir = Path.Combine(_asPostgres ? "/tmp" : Path.GetTempPath(), "nas-pg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_dir);
        try
        {
            if (_asPostgres) Run("chown", "postgres:postgres", _dir);
            RunPg(Path.Combine(bin, "initdb"), "-D", Data, "-A", "trust", "-U", "nas", "-E", "UTF8", "--no-sync");
            Port = FreePort();
            Start();
        }
        catch
        {
            Cleanup();
            throw;
        }
    }

    public int Port { get; }

    /// <summary>Starts the server (again, after <see cref="Stop"/>) on the same port and data.</summary>
    public void Start() =>
        RunPg(_pgCtl, "-D", Data, "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            "-l", Path.Combine(_dir, "log"), "-w", "-t", "60", "start");

    /// <summary>Stops the server as an administrator would (<c>pg_ctl stop -m fast</c>: sessions get 57P01).</summary>
    public void Stop() => RunPg(_pgCtl, "-D", Data, "-m", "fast", "-w", "stop");

    private string Data => Path.Combine(_dir, "data");

    /// <summary>Connection string of the <c>postgres</c> database as superuser <c>nas</c>.</summary>
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=nas;Database=postgres;Timeout=15";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string CreateDatabase(string name)
    {
        using (var c = new NpgsqlConnection(AdminConnectionString))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"DROP DATABASE IF EXISTS {name}; ";
            cmd.ExecuteNonQuery();
            cmd.CommandText = $"CREATE DATABASE {name}";
            cmd.ExecuteNonQuery();
        }
        return $"Host=127.0.0.1;Port={Port};Username=nas;Database={name};Timeout=15";
    }

    private static string? FindBin()
    {
        if (Directory.Exists("/usr/lib/postgresql"))
            foreach (var d in Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal))
                if (File.Exists(Path.Combine(d, "bin", "initdb")) && File.Exists(Path.Combine(d, "bin", "pg_ctl"))) return Path.Combine(d, "bin");
        foreach (var p in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(p, "initdb")) && File.Exists(Path.Combine(p, "pg_ctl"))) return p;
        return null;
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private void RunPg(string exe, params string[] args)
    {
        if (_asPostgres) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    private static void Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(90_000)) { p.Kill(); throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish in 90 s."); }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
    }

    private void Cleanup()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        try { RunPg(_pgCtl, "-D", Data, "-m", "immediate", "-w", "stop"); }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
        NpgsqlConnection.ClearAllPools();
        Cleanup();
    }
}
