using System.CommandLine;
using System.Net;

namespace NasNotebooks.Dashboard;

/// <summary>
/// The <c>dashboard</c> command: <c>dashboard --study runs.db|DIR|postgres://... [--port 8080] [--host 127.0.0.1] [--name STUDY] [--allow-stop]</c>.
/// Runs until Ctrl+C (or SIGTERM).
/// </summary>
public static class DashboardCommand
{
    /// <summary>Makes the command (add it to a root command, or <c>Create().Parse(args).Invoke()</c>).</summary>
    public static Command Create()
    {
        var study = new Option<string>("--study", "-s")
        {
            Description = "The study store: a SQLite file (runs.db), a folder of them, or postgres://user@host:5432/database.",
            Required = true,
        };
        var port = new Option<int>("--port", "-p") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on. The default serves this machine only; 0.0.0.0 serves every interface (the dashboard stays read-only).",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var name = new Option<string?>("--name", "-n") { Description = "A study to print the link of (its page opens straight away)." };
        var allowStop = new Option<bool>("--allow-stop") { Description = "Add a stop button to study pages: it asks the study's workers to stop taking trials." };
        port.Validators.Add(r =>
        {
            // (A value that is not a number at all is already reported by the parser.)
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) && v is < 0 or > 65535)
                r.AddError($"--port {v} is out of range; expected 0 (any free port) to 65535.");
        });
        host.Validators.Add(r =>
        {
            try { HostAddress.Parse(r.GetValueOrDefault<string>() ?? ""); }
            catch (ArgumentException e) { r.AddError(e.Message); }
        });
        study.Validators.Add(r =>
        {
            try { StoreSource.Parse(r.GetValueOrDefault<string>() ?? ""); }
            catch (ArgumentException e) { r.AddError(e.Message); }
        });

        var command = new Command("dashboard", "Serve a live dashboard of the studies in a store (read-only; http://127.0.0.1:8080/ by default).")
        {
            study, port, host, name, allowStop,
        };
        command.SetAction(async (result, ct) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var source = StoreSource.Parse(result.GetValue(study)!);
            var options = new DashboardOptions
            {
                Stores = [source],
                Port = result.GetValue(port),
                Host = result.GetValue(host)!,
                AllowStop = result.GetValue(allowStop),
            };
            DashboardServer server;
            try { server = await DashboardServer.StartAsync(options, ct).ConfigureAwait(false); }
            catch (IOException e)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            await using (server.ConfigureAwait(false))
            {
                await output.WriteLineAsync($"NasNotebooks dashboard for {source.Location}: {server.Url}").ConfigureAwait(false);
                if (result.GetValue(name) is { } studyName)
                {
                    var studyUrl = source.Kind == StoreSourceKind.Folder ? null : server.StudyUrl(source, studyName);
                    await output.WriteLineAsync(studyUrl is null ? $"(study '{studyName}': pick it from the list; a folder holds several stores)" : $"study '{studyName}': {studyUrl}").ConfigureAwait(false);
                }
                if (!IPAddress.IsLoopback(HostAddress.Parse(options.Host)))
                    await output.WriteLineAsync($"note: listening on {options.Host}: other machines can read these studies (the dashboard is read-only{(options.AllowStop ? ", but --allow-stop lets them stop studies" : "")}).").ConfigureAwait(false);
                await output.WriteLineAsync("Press Ctrl+C to stop.").ConfigureAwait(false);
                // Ctrl+C (SIGINT) and SIGTERM stop the server cleanly, whoever invokes the command.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
                {
                    context.Cancel = true;
                    stop.Cancel();
                }
                using (System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal))
                using (System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal))
                {
                    try { await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                }
            }
            await output.WriteLineAsync("dashboard stopped").ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
