namespace NasNotebooks.Interactive.Tests;

/// <summary>One hosted .NET Interactive session with the extension loaded and a few variables, shared by a test class.</summary>
public sealed class NasSessionFixture : IAsyncLifetime
{
    private InteractiveHost? _host;

    internal InteractiveHost Host => _host ?? throw new InvalidOperationException("not started");

    public string Dir { get; } = Processes.NewTempDir("nas-interactive");

    /// <summary>A file that exists but is not a study store.</summary>
    public string NotAStore => Path.Combine(Dir, "notes.txt");

    public async Task InitializeAsync()
    {
        File.WriteAllText(NotAStore, "just some notes\n");
        _host = await InteractiveHost.StartAsync();
        (await Host.SubmitAsync("""
            using NasNotebooks.Dsl;
            using NasNotebooks.Runtime;
            var space = Space.Dict().OneOf("x", 0, 1, 2, 3, 4, 5, 6, 7).OneOf("y", 0, 1, 2, 3).Build();
            Func<SymDict, double> objective = c => -Math.Abs((int)c["x"]! - 5) - Math.Abs((int)c["y"]! - 2);
            var notAnEvaluator = "hello";
            var notASpace = new System.Text.StringBuilder("not a space");
            """)).AssertSucceeded();
    }

    public Task DisposeAsync()
    {
        _host?.Dispose();
        Processes.DeleteQuietly(Dir);
        return Task.CompletedTask;
    }
}
