using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis.Scripting;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel;

/// <summary>Answers Jupyter requests: the glue between the sockets, the script engine, magics and completion.</summary>
internal sealed class KernelHost : IOutputSink, IKernelContext
{
    private readonly KernelServer _server;
    private readonly ScriptEngine _engine;
    private readonly CompletionEngine _completion;
    private readonly KernelApi _api;
    private readonly StreamCapture _stdout;
    private readonly StreamCapture _stderr;
    private readonly bool _restartInProcess;
    private volatile JupyterMessage? _currentParent;
    private int _executionCount;
    private int _abortQueued;
    private CancellationToken _cellToken;
    private volatile CellRun? _run;
    private readonly Polyglot.PolyglotState _polyglot;

    public KernelHost(KernelServer server, MagicRegistry magics, bool restartInProcess)
    {
        _server = server;
        Magics = magics;
        _restartInProcess = restartInProcess;
        _api = new KernelApi(this, magics);
        _polyglot = new Polyglot.PolyglotState(
            [typeof(NasNotebooks.Dsl.Space).Assembly.Location, typeof(NasNotebooks.Runtime.Reward).Assembly.Location, typeof(KernelApi).Assembly.Location],
            new Dictionary<string, object> { ["Kernel"] = _api });
        if (magics.Find("share") is null) _polyglot.RegisterMagics(magics);
        _engine = new ScriptEngine(new KernelGlobals(_api), Environment.CurrentDirectory);
        _completion = new CompletionEngine(_engine, magics);
        _stdout = new StreamCapture("stdout", Stream);
        _stderr = new StreamCapture("stderr", Stream);
        server.ShellHandler = HandleShellAsync;
        server.ControlHandler = HandleControl;
    }

    public MagicRegistry Magics { get; }

    /// <summary>
    /// How long an interrupted C# or F# cell may take to stop before the kernel answers without it (it may be in a
    /// native call or awaiting something that ignores the interrupt); its work then goes on in the background.
    /// </summary>
    internal static TimeSpan InterruptGracePeriod { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The C# script engine (for in-process tests).</summary>
    internal ScriptEngine Engine => _engine;

    /// <summary>
    /// Redirects Console to the cell streams and warms the kernel up: the first-cell warm-up starts at once (the first
    /// C# cell waits for it); completion and tiering warm-ups follow in the background, each step only while no
    /// request is being handled, so that they never slow down the user's first cells.
    /// </summary>
    public void Start()
    {
        Console.SetOut(_stdout);
        Console.SetError(_stderr);
        // raw_input over the stdin channel is not supported: reading Console.In must not block forever.
        Console.SetIn(TextReader.Null);
        LatencyTrace.Startup("host started");
        var firstCell = _engine.StartWarmUp();
        _ = Task.Run(async () =>
        {
            var sw = Stopwatch.StartNew();
            await firstCell.ConfigureAwait(false);
            Log.Debug($"scripting warm-up took {sw.ElapsedMilliseconds} ms");
            await WhenIdleAsync().ConfigureAwait(false);
            _ = Formatter.ToMimeBundle(2);
            await _engine.WarmUpContinuationAsync().ConfigureAwait(false);
            await WhenIdleAsync().ConfigureAwait(false);
            _ = PlotlyFormatter.PlotlyJs(); // the first chart of a session embeds plotly.js (3.5 MB, read from Plotly.NET's resources)
            // Building the completion workspace (MEF composition) is one long step: wait for a pause in the requests.
            await WhenIdleAsync(quietMs: 1000).ConfigureAwait(false);
            await _completion.WarmUpAsync().ConfigureAwait(false);
            Log.Debug($"completion warm-up done after {sw.ElapsedMilliseconds} ms");
            LatencyTrace.Startup("warm-up: completion done");
            await _engine.WarmUpTieringAsync(whenIdle: () => WhenIdleAsync()).ConfigureAwait(false);
            Log.Debug($"tiering warm-up done after {sw.ElapsedMilliseconds} ms");
            LatencyTrace.Startup("warm-up: tiering done");
        });
    }

    /// <summary>
    /// Completes once no shell request is being handled or queued, and none finished in the last <paramref name="quietMs"/>
    /// ms (polled every 50 ms): cells sent back to back ("run all") leave gaps of a few ms between them, which background
    /// work must not fill.
    /// </summary>
    private async Task WhenIdleAsync(int quietMs = 200)
    {
        while (_server.ShellBusy || (quietMs > 0 && _server.LastShellRequestDone != 0 && Environment.TickCount64 - _server.LastShellRequestDone < quietMs))
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    // ---- IOutputSink ----

    public void Stream(string name, string text) =>
        _server.Publish("stream", new JsonObject { ["name"] = name, ["text"] = text }, _currentParent);

    public void Display(MimeBundle bundle, string? displayId, bool update)
    {
        var content = new JsonObject { ["data"] = bundle.ToJson(), ["metadata"] = new JsonObject() };
        if (displayId is not null)
        {
            content["transient"] = new JsonObject { ["display_id"] = displayId };
        }
        _server.Publish(update ? "update_display_data" : "display_data", content, _currentParent);
    }

    public void FlushStreams()
    {
        _stdout.Flush();
        _stderr.Flush();
    }

    // ---- IKernelContext ----

    public CancellationToken CancellationToken => _cellToken;
    public TextWriter Out => _stdout;
    public TextWriter Error => _stderr;
    public int ExecutionCount => _executionCount;
    DisplayHandle IKernelContext.Display(object? value) => _api.Display(value);

    public IReadOnlyCollection<string> VariableNames => _engine.Variables.Select(v => v.Name).Distinct().ToArray();

    public bool TryGetVariable(string name, out object? value)
    {
        var v = _engine.Variables.LastOrDefault(x => x.Name == name);
        value = v?.Value;
        return v is not null;
    }

    public T GetVariable<T>(string name)
    {
        if (!TryGetVariable(name, out var value))
        {
            throw new MagicUsageException($"error: no variable named '{name}' is defined in this session");
        }
        return value is T t ? t : throw new MagicUsageException(
            $"error: variable '{name}' is a {value?.GetType().Name ?? "null"}, expected {Formatter.FriendlyName(typeof(T))}");
    }

    public async Task SetVariableAsync(string name, object? value)
    {
        if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name))
        {
            throw new MagicUsageException($"error: '{name}' is not a valid C# variable name");
        }
        var key = _api.Stage(value);
        var typeName = value is null ? "object" : CSharpTypeName.Of(value.GetType());
        var result = await _engine.RunAsync($"var {name} = ({typeName})Kernel.TakeStaged(\"{key}\");", CancellationToken.None).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            key = _api.Stage(value);
            result = await _engine.RunAsync($"var {name} = (object)Kernel.TakeStaged(\"{key}\");", CancellationToken.None).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"could not declare variable '{name}': " +
                    string.Join("; ", result.Errors.Select(ScriptEngine.FormatDiagnostic)) + result.Exception?.Message);
            }
        }
    }

    // ---- requests ----

    private void HandleControl(JupyterMessage m)
    {
        switch (m.MsgType)
        {
            case "interrupt_request":
                Interrupt();
                _server.Reply(KernelChannel.Control, m, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                break;
            case "shutdown_request":
                Shutdown(KernelChannel.Control, m);
                break;
            case "kernel_info_request":
                WithStatus(m, () => _server.Reply(KernelChannel.Control, m, "kernel_info_reply", KernelInfo()));
                break;
            case "debug_request":
                _server.Reply(KernelChannel.Control, m, "debug_reply", new JsonObject { ["status"] = "error" });
                break;
            default:
                Log.Warn($"unsupported control message {m.MsgType}");
                break;
        }
    }

    /// <summary>
    /// Interrupts the running cell: cancels <c>Kernel.CancellationToken</c>, makes the checks in the cell's code throw
    /// and wakes the thread running its code from a blocking wait (see <see cref="CellRun"/>). Safe from any thread (control
    /// channel, SIGINT handler).
    /// </summary>
    public void Interrupt()
    {
        Log.Debug("interrupt");
        _api.Interrupt();
        _run?.Interrupt();
    }

    /// <summary>Starts the interrupt bookkeeping of a cell; its code (on any thread) belongs to it from now on.</summary>
    private CellRun BeginRun()
    {
        var run = new CellRun(_cellToken, InterruptGracePeriod);
        _run = run;
        CellGuard.Current = run;
        return run;
    }

    private void WithStatus(JupyterMessage parent, Action body)
    {
        _server.Publish("status", new JsonObject { ["execution_state"] = "busy" }, parent);
        try
        {
            body();
        }
        finally
        {
            _server.Publish("status", new JsonObject { ["execution_state"] = "idle" }, parent);
        }
    }

    private async Task HandleShellAsync(JupyterMessage m)
    {
        _server.Publish("status", new JsonObject { ["execution_state"] = "busy" }, m);
        try
        {
            switch (m.MsgType)
            {
                case "kernel_info_request":
                    _server.Reply(KernelChannel.Shell, m, "kernel_info_reply", KernelInfo());
                    break;
                case "execute_request" when _abortQueued > 0:
                    // stop_on_error: requests queued behind a failed cell are answered "aborted", not run.
                    _server.Reply(KernelChannel.Shell, m, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount });
                    break;
                case "execute_request":
                    await ExecuteAsync(m).ConfigureAwait(false);
                    break;
                case "complete_request":
                    _server.Reply(KernelChannel.Shell, m, "complete_reply", await CompleteAsync(Str(m.Content, "code"), Int(m.Content, "cursor_pos")).ConfigureAwait(false));
                    break;
                case "inspect_request":
                    _server.Reply(KernelChannel.Shell, m, "inspect_reply", await _completion.InspectAsync(Str(m.Content, "code"), Int(m.Content, "cursor_pos")).ConfigureAwait(false));
                    break;
                case "is_complete_request":
                    _server.Reply(KernelChannel.Shell, m, "is_complete_reply", IsComplete(Str(m.Content, "code")));
                    break;
                case "comm_info_request":
                    _server.Reply(KernelChannel.Shell, m, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                    break;
                case "history_request":
                    _server.Reply(KernelChannel.Shell, m, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
                    break;
                case "shutdown_request":
                    Shutdown(KernelChannel.Shell, m);
                    break;
                case "comm_open":
                    // No comm targets: answer with comm_close as the protocol asks.
                    _server.Publish("comm_close", new JsonObject { ["comm_id"] = Str(m.Content, "comm_id"), ["data"] = new JsonObject() }, m);
                    break;
                case "comm_msg" or "comm_close":
                    break;
                default:
                    Log.Warn($"unsupported shell message {m.MsgType}");
                    break;
            }
        }
        catch (Exception e)
        {
            Log.Warn($"{m.MsgType} failed: {e}");
            if (m.MsgType.EndsWith("_request", StringComparison.Ordinal))
            {
                _server.Reply(KernelChannel.Shell, m, m.MsgType.Replace("_request", "_reply", StringComparison.Ordinal), ErrorContent(e.GetType().FullName ?? "Error", e.Message, [e.ToString()]));
            }
        }
        finally
        {
            if (_abortQueued > 0)
            {
                _abortQueued--;
            }
            _server.Publish("status", new JsonObject { ["execution_state"] = "idle" }, m);
        }
    }

    private static string Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static int Int(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i :
        o[name] is JsonValue d && d.TryGetValue<double>(out var x) ? (int)x : 0;

    private static bool Bool(JsonObject o, string name, bool fallback) =>
        o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;

    public static JsonObject KernelInfo()
    {
        LatencyTrace.Startup("kernel_info_reply");
        return KernelInfoContent();
    }

    private static JsonObject KernelInfoContent() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "nasnotebooks",
        ["implementation_version"] = typeof(KernelHost).Assembly.GetName().Version?.ToString() ?? "0.0.0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "C#",
            ["version"] = "14.0",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = "NasNotebooks C# kernel (Roslyn scripting). Magics: #!nas help, #!time.",
        ["help_links"] = new JsonArray(),
    };

    /// <summary>Completion for the cell's language: Roslyn for C#, the F# session for F# cells.</summary>
    internal async Task<JsonObject> CompleteAsync(string code, int cursor)
    {
        var (language, _, body, _) = Polyglot.CellLanguages.Split(code);
        if (language != Polyglot.CellLanguage.FSharp)
            return await _completion.CompleteAsync(code, cursor).ConfigureAwait(false);
        int bodyStart = code.Length - body.Length;
        int local = Math.Clamp(cursor - bodyStart, 0, body.Length);
        int start = local;
        while (start > 0 && (char.IsLetterOrDigit(body[start - 1]) || body[start - 1] == '_')) start--;
        var matches = await Task.Run(() => _polyglot.FSharp.Complete(body, local)).ConfigureAwait(false);
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(matches.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
            ["cursor_start"] = bodyStart + start,
            ["cursor_end"] = cursor,
            ["metadata"] = new JsonObject(),
        };
    }

    private static JsonObject IsComplete(string code)
    {
        if (code.Trim().Length == 0 || Polyglot.CellLanguages.Split(code).Language != Polyglot.CellLanguage.CSharp)
        {
            return new JsonObject { ["status"] = "complete" };
        }
        var (magics, rest) = MagicRegistry.SplitCell(code);
        if (rest.Trim().Length == 0 && magics.Count > 0)
        {
            return new JsonObject { ["status"] = "complete" };
        }
        return ScriptEngine.IsCompleteSubmission(rest)
            ? new JsonObject { ["status"] = "complete" }
            : new JsonObject { ["status"] = "incomplete", ["indent"] = "    " };
    }

    private static JsonObject ErrorContent(string ename, string evalue, IEnumerable<string> traceback) => new()
    {
        ["status"] = "error",
        ["ename"] = ename,
        ["evalue"] = evalue,
        ["traceback"] = new JsonArray(traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };

    private async Task ExecuteAsync(JupyterMessage m)
    {
        var code = Str(m.Content, "code");
        var silent = Bool(m.Content, "silent", false);
        var storeHistory = Bool(m.Content, "store_history", !silent) && !silent;
        if (storeHistory)
        {
            _executionCount++;
        }
        var count = _executionCount;
        _currentParent = m;
        _cellToken = _api.BeginCell(count);
        var run = BeginRun();
        if (!silent)
        {
            _server.Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, m);
        }
        JsonObject reply;
        try
        {
            reply = await RunCellAsync(code, count, silent, m).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            reply = ErrorContent(e.GetType().FullName ?? "Error", e.Message, ScriptEngine.Traceback(e));
        }
        finally
        {
            run.Release();
        }
        FlushStreams();
        if (reply["status"]?.GetValue<string>() == "error" && !silent)
        {
            var err = new JsonObject
            {
                ["ename"] = reply["ename"]?.DeepClone(),
                ["evalue"] = reply["evalue"]?.DeepClone(),
                ["traceback"] = reply["traceback"]?.DeepClone(),
            };
            _server.Publish("error", err, m);
        }
        reply["execution_count"] = count;
        if (reply["status"]?.GetValue<string>() == "ok")
        {
            reply["payload"] = new JsonArray();
            reply["user_expressions"] = new JsonObject();
        }
        if (reply["status"]?.GetValue<string>() == "error" && Bool(m.Content, "stop_on_error", true))
        {
            // +1: the finally block of this request decrements once.
            _abortQueued = _server.QueuedShellMessages + 1;
        }
        _server.Reply(KernelChannel.Shell, m, "execute_reply", reply);
        LatencyTrace.Mark("reply-queued");
    }

    /// <summary>Runs a cell as an execute_request would (for in-process tests); returns the reply content.</summary>
    internal async Task<JsonObject> ExecuteForTestAsync(string code)
    {
        _executionCount++;
        _cellToken = _api.BeginCell(_executionCount);
        var run = BeginRun();
        var request = JupyterMessage.Create("execute_request", "test", new JsonObject { ["code"] = code }, null);
        _currentParent = request;
        try
        {
            return await RunCellAsync(code, _executionCount, silent: false, request).ConfigureAwait(false);
        }
        finally
        {
            run.Release();
        }
    }

    private async Task<JsonObject> RunCellAsync(string code, int count, bool silent, JupyterMessage m)
    {
        if (code.TrimStart().StartsWith("#!", StringComparison.Ordinal))
        {
            var first = code.TrimStart().Split('\n', 2)[0].Trim();
            var word = first[2..].Split(' ', 2)[0];
            if (Magics.Find(word) is null && !Polyglot.CellLanguages.TryParse(word, out _))
            {
                var msg = $"error: unknown magic command '#!{word}' on line 1; cell languages: #!csharp, #!fsharp, #!html, #!markdown, #!javascript, #!value; magics: {string.Join(", ", Magics.Commands.Select(c => "#!" + c.Name))}";
                return ErrorContent("MagicUsageError", msg, [msg]);
            }
        }
        var (language, languageArgs, body, bodyOffset) = Polyglot.CellLanguages.Split(code);
        _polyglot.CurrentLanguage = language;
        switch (language)
        {
            case Polyglot.CellLanguage.Html:
                Display(new MimeBundle().Set("text/plain", body).Set("text/html", body), null, update: false);
                return new JsonObject { ["status"] = "ok" };
            case Polyglot.CellLanguage.Markdown:
                Display(new MimeBundle().Set("text/plain", body).Set("text/markdown", body), null, update: false);
                return new JsonObject { ["status"] = "ok" };
            case Polyglot.CellLanguage.JavaScript:
                Display(new MimeBundle().Set("text/plain", "<javascript>").Set("application/javascript", body)
                    .Set("text/html", "<script type=\"text/javascript\">" + body.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) + "</script>"), null, update: false);
                return new JsonObject { ["status"] = "ok" };
            case Polyglot.CellLanguage.Value:
                var parts = languageArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int at = Array.IndexOf(parts, "--name");
                if (at < 0 || at + 1 >= parts.Length)
                {
                    const string msg = "error: '#!value' needs --name NAME (e.g. '#!value --name data'); the rest of the cell is stored as text";
                    return ErrorContent("MagicUsageError", msg, [msg]);
                }
                _polyglot.Values[parts[at + 1]] = body;
                return new JsonObject { ["status"] = "ok" };
        }
        IReadOnlyList<(int Line, string Text)> magicLines;
        string csharp;
        List<MagicInvocation> invocations = [];
        try
        {
            (magicLines, csharp) = MagicRegistry.SplitCell(body);
            foreach (var (line, text) in magicLines)
            {
                var inv = Magics.Parse(text, line);
                inv.Code = csharp;
                invocations.Add(inv);
            }
        }
        catch (MagicUsageException e)
        {
            return ErrorContent("MagicUsageError", e.Message, [e.Message]);
        }

        JsonObject? result = null;
        async Task RunCode()
        {
            if (csharp.Trim().Length == 0)
            {
                result = new JsonObject { ["status"] = "ok" };
                return;
            }
            result = language == Polyglot.CellLanguage.FSharp
                ? await RunFSharpAsync(csharp, bodyOffset, count, silent, m).ConfigureAwait(false)
                : await RunCSharpAsync(bodyOffset == 0 ? csharp : new string('\n', bodyOffset) + csharp, count, silent, m).ConfigureAwait(false);
        }

        Func<Task> chain = RunCode;
        for (int i = invocations.Count - 1; i >= 0; i--)
        {
            var inv = invocations[i];
            var next = chain;
            inv.SetContinuation(next);
            chain = async () =>
            {
                if (inv.HelpRequested)
                {
                    Out.Write(MagicRegistry.HelpText(inv.Command, inv.CommandPath));
                    return;
                }
                await inv.Command.RunAsync(inv, this).ConfigureAwait(false);
                if (!inv.Continued)
                {
                    await inv.ContinueAsync().ConfigureAwait(false);
                }
            };
        }
        try
        {
            await chain().ConfigureAwait(false);
        }
        catch (MagicUsageException e)
        {
            return ErrorContent("MagicUsageError", e.Message, [e.Message]);
        }
        catch (Exception e) when (IsInterruption(e))
        {
            return ErrorContent("OperationCanceledException", CellRun.InterruptedMessage, ["OperationCanceledException: " + CellRun.InterruptedMessage]);
        }
        catch (Exception e)
        {
            return ErrorContent(e.GetType().FullName ?? "Error", e.Message, ScriptEngine.Traceback(e));
        }
        return result ?? new JsonObject { ["status"] = "ok" };
    }

    /// <summary>True when <paramref name="e"/> is how an interrupt stopped the cell (a check, the token, a woken wait).</summary>
    private bool IsInterruption(Exception e) =>
        _cellToken.IsCancellationRequested && e is OperationCanceledException or ThreadInterruptedException;

    /// <summary>The reply for a cell that did not stop within the grace period after an interrupt.</summary>
    private static JsonObject AbandonedReply(bool fsharp)
    {
        var message = $"{CellRun.InterruptedMessage} It did not stop within {InterruptGracePeriod.TotalSeconds:0.#} s " +
            "(it may be in a native call, or awaiting something that ignores the interrupt), so the kernel stopped waiting for it: " +
            "its work may still be running in the background. The session's variables are those from before the cell." +
            (fsharp ? " F# cells can run again once it has ended (or after a kernel restart)." : "");
        return ErrorContent("OperationCanceledException", message, ["OperationCanceledException: " + message]);
    }

    private async Task<JsonObject> RunFSharpAsync(string code, int lineOffset, int count, bool silent, JupyterMessage m)
    {
        var started = _polyglot.FSharpStarted;
        if (started && _polyglot.FSharp.IsBusy)
        {
            const string busy = "error: an interrupted F# cell is still running in the background (see its reply); F# can't run another cell " +
                "beside it. Wait for it to end, or restart the kernel. C# cells work meanwhile.";
            return ErrorContent("FSharpSessionBusy", busy, [busy]);
        }
        var outcome = await CellRunner.RunAsync(_run!, () => Task.FromResult(_polyglot.FSharp.Evaluate(code, _cellToken, lineOffset))).ConfigureAwait(false);
        if (outcome.Abandoned)
        {
            return AbandonedReply(fsharp: true);
        }
        var r = outcome.Value!;
        if (!started) Log.Debug("F# session started");
        foreach (var warning in r.Diagnostics.Where(d => !d.IsError)) Error.WriteLine(warning.ToString());
        return CellOutcome(r.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToArray(), r.Exception, r.HasValue, r.Value, count, silent, m);
    }

    private async Task<JsonObject> RunCSharpAsync(string code, int count, bool silent, JupyterMessage m)
    {
        var sw = Stopwatch.StartNew();
        LatencyTrace.Mark("cell-start");
        var outcome = await CellRunner.RunAsync(_run!, () => _engine.RunAsync(code, _cellToken)).ConfigureAwait(false);
        LatencyTrace.Mark("compiled-and-ran");
        if (outcome.Abandoned)
        {
            return AbandonedReply(fsharp: false);
        }
        var r = outcome.Value!;
        Log.Debug($"cell {count}: compile+run {sw.Elapsed.TotalMilliseconds:0.0} ms");
        return CellOutcome(r.Errors.Select(ScriptEngine.FormatDiagnostic).ToArray(), r.Exception, r.HasValue, r.Value, count, silent, m);
    }

    /// <summary>The reply of a C# or F# cell: compile errors, a runtime error (or interruption), or ok with its value published.</summary>
    private JsonObject CellOutcome(string[] compileErrors, Exception? exception, bool hasValue, object? value, int count, bool silent, JupyterMessage m)
    {
        if (compileErrors.Length > 0)
        {
            return ErrorContent("CompilationError", string.Join("\n", compileErrors), compileErrors);
        }
        if (exception is { } ex)
        {
            if (IsInterruption(ex))
            {
                return ErrorContent("OperationCanceledException", CellRun.InterruptedMessage, ScriptEngine.Traceback(ex));
            }
            return ErrorContent(ex.GetType().FullName ?? "Error", ex.Message, ScriptEngine.Traceback(ex));
        }
        if (hasValue && !silent)
        {
            FlushStreams();
            MimeBundle bundle;
            try
            {
                bundle = Formatter.ToMimeBundle(value);
            }
            catch (Exception e)
            {
                bundle = new MimeBundle().Set("text/plain", $"<formatting failed: {e.GetType().Name}: {e.Message}>");
            }
            LatencyTrace.Mark("formatted");
            _server.Publish("execute_result", new JsonObject
            {
                ["execution_count"] = count,
                ["data"] = bundle.ToJson(),
                ["metadata"] = new JsonObject(),
            }, m);
        }
        return new JsonObject { ["status"] = "ok" };
    }

    private void Shutdown(KernelChannel channel, JupyterMessage m)
    {
        var restart = Bool(m.Content, "restart", false);
        var content = new JsonObject { ["status"] = "ok", ["restart"] = restart };
        _server.Reply(channel, m, "shutdown_reply", content);
        _server.Publish("shutdown_reply", (JsonObject)content.DeepClone(), m);
        Interrupt();
        if (restart)
        {
            _engine.Reset();
            _executionCount = 0;
            PlotlyFormatter.ResetSession();
            if (_restartInProcess)
            {
                Log.Debug("restart: state reset, kernel keeps running");
                return;
            }
        }
        _server.Stop();
    }
}
