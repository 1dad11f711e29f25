using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using NasNotebooks.Tests.Browser;
using Xunit.Abstractions;

namespace NasNotebooks.Kernel.Tests.Browser;

/// <summary>
/// The kernel in a real browser front end: Debian's classic Jupyter Notebook (jupyter-notebook 6.4) on 127.0.0.1 with a
/// token and this kernel's kernelspec, the quickstart opened in Chromium and run through the UI (Cell > Run All). The
/// #!nas search progress display must change while its cell runs, every chart must render as Plotly SVG, and no cell
/// may show an error. A screenshot goes to artifacts/notebooks-browser/.
/// </summary>
public sealed class ClassicNotebookTests(ITestOutputHelper output)
{
    private const string JupyterNotebook = "/usr/bin/jupyter-notebook";

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task The_quickstart_runs_through_the_classic_notebook_UI_with_live_progress_and_charts()
    {
        if (!File.Exists(JupyterNotebook))
            Assert.Fail($"{JupyterNotebook} is missing: run scripts/install-deps.sh (apt-get install -y jupyter-notebook).");
        var repo = Chromium.RepoRoot();
        var work = PythonJupyter.NewTempDir("nas-classic-notebook");
        Process? server = null;
        var log = new System.Text.StringBuilder();
        try
        {
            // The notebook runs from a copy (the front end autosaves), beside the shipped data it reads as ../data.
            var notebooks = Directory.CreateDirectory(Path.Combine(work, "notebooks")).FullName;
            File.Copy(Path.Combine(repo, "notebooks", "01-quickstart.ipynb"), Path.Combine(notebooks, "01-quickstart.ipynb"));
            File.CreateSymbolicLink(Path.Combine(work, "data"), Path.Combine(repo, "data"));
            var prefix = Path.Combine(work, "prefix");
            var install = PythonJupyter.Run([PythonJupyter.KernelDll, "install", "--prefix", prefix, "--name", "nasnotebooks"], null, TimeSpan.FromMinutes(2), PythonJupyter.Dotnet);
            Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);

            int port = FreePort();
            var token = Guid.NewGuid().ToString("N");
            var psi = new ProcessStartInfo(JupyterNotebook) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--no-browser", "--ip=127.0.0.1", $"--port={port}", "--NotebookApp.port_retries=0", $"--NotebookApp.token={token}",
                $"--notebook-dir={work}", "--NotebookApp.open_browser=False", "--allow-root" })
                psi.ArgumentList.Add(a);
            psi.Environment["JUPYTER_PATH"] = Path.Combine(prefix, "share", "jupyter");
            psi.Environment["JUPYTER_CONFIG_DIR"] = Directory.CreateDirectory(Path.Combine(work, "config")).FullName;
            psi.Environment["JUPYTER_RUNTIME_DIR"] = Directory.CreateDirectory(Path.Combine(work, "runtime")).FullName;
            psi.Environment["JUPYTER_DATA_DIR"] = Directory.CreateDirectory(Path.Combine(work, "jdata")).FullName;
            server = Process.Start(psi)!;
            server.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
            server.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            {
                var up = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        if ((await http.GetAsync($"http://127.0.0.1:{port}/api/status?token={token}")).IsSuccessStatusCode) break;
                    }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) { }
                    Assert.False(server.HasExited, "jupyter-notebook exited:\n" + log);
                    Assert.True(up.Elapsed < TimeSpan.FromSeconds(90), "jupyter-notebook did not answer within 90 s:\n" + log);
                    await Task.Delay(250);
                }
            }
            // The token is required: without it (and without the cookie a tokened request sets) the API refuses.
            using (var stranger = new HttpClient(new HttpClientHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) })
            {
                Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"http://127.0.0.1:{port}/api/contents")).StatusCode);
            }

            var (playwright, browser) = await Chromium.LaunchAsync();
            using var _ = playwright;
            await using var __ = browser;
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
            var pageErrors = new List<string>();
            page.PageError += (_, e) => { lock (pageErrors) pageErrors.Add(e); };
            await page.GotoAsync($"http://127.0.0.1:{port}/notebooks/notebooks/01-quickstart.ipynb?token={token}");
            await page.WaitForFunctionAsync("() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
                null, new() { Timeout = 120_000, PollingInterval = 250 });
            Assert.Equal("C# (NasNotebooks)", (await page.Locator("#kernel_indicator .kernel_indicator_name").TextContentAsync())?.Trim());

            // Cell > Run All, through the menu.
            await page.ClickAsync("#celllink");
            await page.ClickAsync("#run_all_cells");
            int searchCell = await page.EvaluateAsync<int>("() => Jupyter.notebook.get_cells().findIndex(c => c.cell_type === 'code' && c.get_text().startsWith('#!nas search'))");
            Assert.True(searchCell >= 0, "the quickstart has a #!nas search cell");
            var progress = new List<string>();
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var state = await page.EvaluateAsync<string[]>(@"i => {
                    const cells = Jupyter.notebook.get_cells();
                    const c = cells[i];
                    const running = cells.some(x => x.cell_type === 'code' && x.element.find('.input_prompt').text().includes('*'));
                    return [c.output_area.element.text(), String(c.element.find('.input_prompt').text().includes('*')), String(running)];
                }", searchCell);
                if (state[1] == "True" || state[1] == "true")
                    if (state[0].Length > 0 && (progress.Count == 0 || progress[^1] != state[0])) progress.Add(state[0]);
                if (state[2] is "false" or "False" && clock.Elapsed > TimeSpan.FromSeconds(3)) break;
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(15), "the notebook did not finish in 15 minutes");
                await Task.Delay(150);
            }
            output.WriteLine($"notebook ran in {clock.Elapsed.TotalSeconds:0} s; the search cell's progress display showed {progress.Count} different texts while it ran:");
            foreach (var p in progress) output.WriteLine("  " + p.Replace('\n', ' ')[..Math.Min(120, p.Length)]);
            Assert.True(progress.Count >= 2, "the #!nas search progress display did not change while the cell ran: " + string.Join(" | ", progress));

            // Every code cell ran, none shows an error, every chart is Plotly SVG.
            var counts = await page.EvaluateAsync<string[]>("() => Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').map(c => String(c.input_prompt_number))");
            Assert.All(counts, c => Assert.Matches(@"^\d+$", c));
            Assert.Equal(0, await page.Locator(".output_error").CountAsync());
            Assert.Equal(0, await page.Locator(".output_stderr").CountAsync());
            var charts = page.Locator(".output_area div[id^='nas-plotly-']");
            // Outputs may still be arriving (a display updated after the cell's reply): wait for them up to 30 s.
            int chartCount = await charts.CountAsync();
            for (var wait = Stopwatch.StartNew(); chartCount < 3 && wait.Elapsed < TimeSpan.FromSeconds(30); chartCount = await charts.CountAsync())
                await Task.Delay(250);
            if (chartCount < 3)
            {
                // Say what the cells do hold, so that a failure here can be told apart from a missing output.
                var held = await page.EvaluateAsync<string[]>(@"() => Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').map((c, i) =>
                    i + ': ' + c.output_area.outputs.map(o => o.output_type + '[' + Object.keys(o.data || {}).join(',') + '] ' +
                        String((o.data && (o.data['text/plain'] || '')) || o.text || '').slice(0, 80)).join(' | '))");
                Assert.Fail($"expected the summary, progress and importance charts, found {chartCount}; the code cells' outputs:\n{string.Join("\n", held)}");
            }
            for (int i = 0; i < chartCount; i++)
                Assert.True(await charts.Nth(i).Locator("svg.main-svg").CountAsync() > 0, $"chart {i} has no Plotly SVG");
            Assert.Contains("Top trials", await page.Locator(".output_area").AllInnerTextsAsync() is var texts ? string.Join("\n", texts) : "");
            Assert.Contains(texts, t => t.Contains("best trial", StringComparison.Ordinal));
            // The classic notebook scrolls inside #site: a window as tall as the notebook shows all of it.
            var height = await page.EvaluateAsync<int>("() => document.getElementById('notebook-container').scrollHeight");
            await page.SetViewportSizeAsync(1400, Math.Min(height + 260, 16000));
            await page.WaitForTimeoutAsync(500);
            var shot = await Chromium.ScreenshotAsync(page, "notebooks-browser", "01-quickstart");
            output.WriteLine("screenshot: " + shot);
            lock (pageErrors) Assert.True(pageErrors.Count == 0, "page errors:\n" + string.Join("\n", pageErrors));
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit(10_000);
            }
            server?.Dispose();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
