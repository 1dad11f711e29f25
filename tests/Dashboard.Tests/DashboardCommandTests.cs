using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using NasNotebooks.Runtime.Studies;

using NasNotebooks.Tests;

namespace NasNotebooks.Dashboard.Tests;

/// <summary>The <c>dashboard</c> command line: every path, URL, port and host is checked with a clear message; a good one serves until cancelled.</summary>
public sealed class DashboardCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = DashboardCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] Errors(params string[] args) => DashboardCommand.Create().Parse(args).Errors.Select(e => e.Message).ToArray();

    [Fact]
    public void Bad_study_stores_are_refused_with_what_is_wrong_and_what_is_expected()
    {
        using var dir = new TempDir();
        var missing = dir.File("runs.db");
        Assert.Equal([$"--study {missing}: no such file or folder: {missing}. The dashboard shows existing studies; start a search or a worker with this --study first, or give the folder that holds the study files."],
            Errors("--study", missing));
        Assert.False(File.Exists(missing), "checking the argument must not create the store");
        Assert.Equal([$"--study {dir.File("nowhere/x.db")}: no such file or folder: {dir.File("nowhere/x.db")} (the folder {dir.File("nowhere")} does not exist either). " +
            "The dashboard shows existing studies; start a search or a worker with this --study first, or give the folder that holds the study files."], Errors("--study", dir.File("nowhere/x.db")));
        File.WriteAllText(dir.File("notes.txt"), "hello");
        Assert.Equal([$"--study {dir.File("notes.txt")}: {dir.File("notes.txt")} is not a NasNotebooks study store: it is not an SQLite database (it does not start with the SQLite header)."],
            Errors("--study", dir.File("notes.txt")));
        Assert.Equal("hello", File.ReadAllText(dir.File("notes.txt")));
        Assert.StartsWith("--study memory: names a store that lives inside one process", Errors("--study", "memory:").Single());
        Assert.StartsWith("--study http://host/x: unknown scheme 'http'. Expected an existing SQLite study file", Errors("--study", "http://host/x").Single());
        Assert.Equal(["--study postgres://: Invalid PostgreSQL URL 'postgres://'; expected postgres://user[:password]@host[:port]/database. (Parameter 'url')"], Errors("--study", "postgres://"));
        Assert.Contains(Errors(), e => e.Contains("--study", StringComparison.Ordinal));
    }

    [Fact]
    public void Ports_and_hosts_are_checked()
    {
        using var dir = new TempDir();
        using (var store = StudyStore.Open(dir.File("ok.db"))) TestStudies.WriteMulti(store, trials: 1);
        var ok = dir.File("ok.db");
        Assert.Equal(["--port 70000 is out of range; expected 0 (any free port) to 65535."], Errors("--study", ok, "--port", "70000"));
        Assert.Contains(Errors("--study", ok, "--port", "eighty"), e => e.Contains("eighty", StringComparison.Ordinal));
        Assert.Equal(["--host 'example.com' is not an IP address; expected e.g. 127.0.0.1 (this machine only, the default), ::1, 0.0.0.0 (every interface) or localhost."],
            Errors("--study", ok, "--host", "example.com"));
        Assert.Empty(Errors("--study", ok, "--host", "localhost", "--port", "0"));
        var (exit, _, err) = Run("--study", ok, "--port", "70000");
        Assert.NotEqual(0, exit);
        Assert.Contains("--port 70000 is out of range", err);
    }

    [Fact]
    public async Task A_good_command_serves_until_cancelled_and_a_busy_port_is_a_clear_error()
    {
        using var dir = new TempDir();
        var path = dir.File("ok.db");
        using (var store = StudyStore.Open(path)) TestStudies.WriteMulti(store, trials: 2);
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var busyPort = ((IPEndPoint)busy.LocalEndpoint).Port;
        var (exit, _, err) = Run("--study", path, "--port", busyPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, exit);
        Assert.StartsWith($"error: The dashboard cannot listen on 127.0.0.1:{busyPort}: ", err);
        Assert.Contains("Choose another --port (0 picks a free one).", err);

        var output = new StringWriter();
        using var cts = new CancellationTokenSource();
        var run = DashboardCommand.Create().Parse(["--study", path, "--port", "0", "--name", "multi"]).InvokeAsync(new InvocationConfiguration { Output = output }, cts.Token);
        string text = "";
        for (int i = 0; i < 300 && !(text = output.ToString()).Contains("Press Ctrl+C", StringComparison.Ordinal); i++) await Task.Delay(50);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches($@"^NasNotebooks dashboard for {System.Text.RegularExpressions.Regex.Escape(path)}: http://127\.0\.0\.1:\d+/$", lines[0]);
        var url = new Uri(lines[0][(lines[0].LastIndexOf(' ') + 1)..]);
        Assert.Equal($"study 'multi': {url}study?store=ok.db&name=multi", lines[1]);
        using (var http = new HttpClient())
            Assert.Contains("multi", await http.GetStringAsync(new Uri(url, "api/studies")));
        cts.Cancel();
        Assert.Equal(0, await run);
        Assert.EndsWith("dashboard stopped", output.ToString().TrimEnd());
        using var after = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => after.ConnectAsync(IPAddress.Loopback, url.Port));
    }
}
