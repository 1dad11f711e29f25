using NasNotebooks.Runtime.Tests.Studies;

namespace NasNotebooks.Kernel.Tests.Cli;

/// <summary>
/// `nasnotebooks worker` on the bad inputs users meet first: each ends with one line naming the problem and the
/// file, URL or argument, exit 2 for a usage error and 1 for a runtime error, and no stack trace (unless --verbose).
/// </summary>
public sealed class WorkerErrorTests : IDisposable
{
    private readonly string _dir = PythonJupyter.NewTempDir("nasnb-worker-errors");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string File(string name) => Path.Combine(_dir, name);

    private string Table() => System.IO.File.Exists(File("table.csv")) ? File("table.csv") : WorkerFixtures.Table(File("table.csv"));

    /// <summary>Asserts exit code, a single "error: " line that starts with <paramref name="message"/> and no stack trace.</summary>
    private static void AssertError(CliProcess r, int exitCode, string message)
    {
        Assert.True(r.ExitCode == exitCode, $"expected exit {exitCode}.\n{r.Transcript}");
        var errors = r.Err.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.True(error.StartsWith("error: " + message, StringComparison.Ordinal), $"expected 'error: {message}...', got:\n{r.Transcript}");
        Assert.DoesNotContain(r.Err, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));
        if (exitCode == 2) Assert.Equal("see 'nasnotebooks worker --help'", r.Err[^1]);
    }

    [Fact]
    public void A_file_that_is_not_a_study_store_is_named()
    {
        System.IO.File.WriteAllText(File("notes.db"), "these are my notes, not a database\n");
        var r = CliProcess.Run(WorkerFixtures.Nb201(File("notes.db"), "s", Table(), 5));
        AssertError(r, 1, $"'{File("notes.db")}' is not a NasNotebooks study store: it is not an SQLite database");
    }

    [Fact]
    public void A_truncated_study_file_is_named_as_damaged()
    {
        Assert.Equal(0, CliProcess.Run(WorkerFixtures.Nb201(File("full.db"), "s", Table(), 30)).ExitCode);
        var bytes = System.IO.File.ReadAllBytes(File("full.db"));
        Assert.True(bytes.Length > 8192, $"the study file has only {bytes.Length} bytes");
        System.IO.File.WriteAllBytes(File("cut.db"), bytes[..(bytes.Length / 2)]);
        var r = CliProcess.Run(WorkerFixtures.Nb201(File("cut.db"), "s", Table(), 40));
        AssertError(r, 1, $"Study store '{File("cut.db")}' is damaged (SQLite Error 11: 'database disk image is malformed'.)");
    }

    [Fact]
    public void A_directory_as_study_is_a_usage_error()
    {
        var r = CliProcess.Run(WorkerFixtures.Nb201(_dir, "s", Table(), 5));
        AssertError(r, 2, $"--study '{_dir}' is a directory; expected a SQLite study file");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_read_only_study_file_is_named()
    {
        Assert.Equal(0, CliProcess.Run(WorkerFixtures.Nb201(File("ro.db"), "s", Table(), 3)).ExitCode);
        // Root writes anyway: as root the worker runs as 'nobody', for whom the file and folder (root's, 0644/0755) are read-only.
        bool root = Environment.UserName == "root";
        if (root) System.IO.File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        else System.IO.File.SetUnixFileMode(File("ro.db"), UnixFileMode.UserRead);
        var r = CliProcess.Run(WorkerFixtures.Nb201(File("ro.db"), "s", Table(), 6), asUser: root ? "nobody" : null);
        AssertError(r, 1, $"Study store '{File("ro.db")}' ");
        Assert.Contains("workers need write access to the file and to its folder", r.Err.Single(l => l.StartsWith("error: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_study_name_reused_with_another_space_is_named()
    {
        Assert.Equal(0, CliProcess.Run(WorkerFixtures.Nb201(File("s.db"), "mine", Table(), 2)).ExitCode);
        var digits = Path.Combine(FindRepo(), "data", "digits.csv.gz");
        var r = CliProcess.Run(["worker", "--study", File("s.db"), "--name", "mine", "--preset", "digits-mlp", "--trials", "2", "--data", digits]);
        AssertError(r, 1, "study 'mine' was created for a different space: decision 1 was 'edge_1_0: choice of 5'");
        Assert.Contains($"(store {File("s.db")})", r.Err.Single(l => l.StartsWith("error: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_missing_data_file_is_a_usage_error()
    {
        var r = CliProcess.Run(WorkerFixtures.Nb201(File("s.db"), "s", File("no-such.csv"), 5));
        AssertError(r, 2, $"--data '{File("no-such.csv")}' does not exist");
        Assert.False(System.IO.File.Exists(File("s.db")), "nothing may be created for a bad command line");
    }

    [Fact]
    public void A_malformed_nb201_table_names_file_and_line()
    {
        System.IO.File.WriteAllText(File("bad.csv"), "index,arch,cifar10_valid_acc,cifar10_test_acc,params\n0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,10,10,5\n1,|oops|,1,2\n");
        var r = CliProcess.Run(WorkerFixtures.Nb201(File("s.db"), "s", File("bad.csv"), 5));
        AssertError(r, 1, $"NB201 table '{File("bad.csv")}', line 3: expected 5 fields, found 4");
    }

    [Fact]
    public void A_table_whose_accuracies_are_all_NaN_stops_after_the_first_failures_with_the_reason()
    {
        WorkerFixtures.Table(File("nan.csv"), valid: _ => "NaN");
        var r = CliProcess.Run(WorkerFixtures.Nb201(File("s.db"), "s", File("nan.csv"), 50));
        AssertError(r, 1, "the first 10 trials of study 's' that this run ended all failed; the first, trial 1, failed with: non-finite reward NaN at the final reward");
        Assert.Equal(10, r.Out.Count(l => l.Contains(" failed non-finite reward NaN", StringComparison.Ordinal)));
        Assert.DoesNotContain(r.Out, l => l.StartsWith("finished", StringComparison.Ordinal));
    }

    [Fact]
    public void A_table_missing_most_rows_stops_with_the_reason_and_fail_fast_is_an_option()
    {
        WorkerFixtures.Table(File("sparse.csv"), keep: 500); // 32 of 15,625 architectures
        var r = CliProcess.Run(WorkerFixtures.Nb201(File("s.db"), "s", File("sparse.csv"), 50, "--fail-fast", "4"));
        AssertError(r, 1, $"the first 4 trials of study 's' that this run ended all failed; the first, trial 1, failed with: KeyNotFoundException: NB201 table '{File("sparse.csv")}' has no row for '|");
        Assert.Equal(4, r.Out.Count(l => l.Contains(" failed KeyNotFoundException", StringComparison.Ordinal)));

        // With --fail-fast 0 the worker goes on, and a run in which no trial completed still ends in an error.
        var all = CliProcess.Run(WorkerFixtures.Nb201(File("s2.db"), "s", File("sparse.csv"), 12, "--fail-fast", "0"));
        AssertError(all, 1, "all 12 trials this worker ended failed; the first, trial 1, failed with: KeyNotFoundException");
    }

    [Fact]
    public void A_good_run_exits_0_and_prints_the_best_trial()
    {
        var r = CliProcess.Run(WorkerFixtures.Nb201(File("s.db"), "s", Table(), 6, "--worker-id", "w1"));
        Assert.True(r.ExitCode == 0, r.Transcript);
        Assert.Empty(r.Err);
        Assert.Equal(Enumerable.Range(1, 6), r.Completed);
        Assert.Matches(@"^finished MaxTrials: the study holds 6 trials \(6 completed\); best \d+(\.\d+)? \(trial \d, \[[0-9,]+\]\)$", r.Out[^1]);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        System.IO.File.WriteAllText(File("notes.db"), "not a database\n");
        var r = CliProcess.Run([.. WorkerFixtures.Nb201(File("notes.db"), "s", Table(), 5), "--verbose"]);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error: ", r.Err[0]);
        Assert.Contains(r.Err, l => l.Contains("StudyStoreFormatException", StringComparison.Ordinal));
        Assert.Contains(r.Err, l => l.TrimStart().StartsWith("at NasNotebooks.Runtime.Studies.SqliteStudyStore", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--trials", "0" }, "--trials must be at least 1, got 0")]
    [InlineData(new[] { "--algo", "annealing" }, "unknown --algo 'annealing' (known: random, grid")]
    [InlineData(new[] { "--store-retry", "soon" }, "invalid duration 'soon' for --store-retry: expected e.g. 30s, 2m")]
    [InlineData(new[] { "--fail-fast", "-1" }, "--fail-fast must be at least 0, got -1")]
    public void Bad_options_are_usage_errors(string[] more, string message)
    {
        var r = CliProcess.Run(["worker", "--study", File("s.db"), "--name", "s", "--preset", "nb201", "--data", Table(), .. more]);
        AssertError(r, 2, message);
        Assert.False(System.IO.File.Exists(File("s.db")), "nothing may be created for a bad command line");
    }

    internal static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (System.IO.File.Exists(Path.Combine(d.FullName, "NasNotebooks.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("NasNotebooks.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>`nasnotebooks worker` against PostgreSQL databases and roles that do not exist (a real server, started by the test).</summary>
public sealed class WorkerPostgresErrorTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string _dir = PythonJupyter.NewTempDir("nasnb-worker-pg");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("nas", "no_such_db", "3D000: database \"no_such_db\" does not exist")]
    [InlineData("nobody_here", "postgres", "28000: role \"nobody_here\" does not exist")]
    public void A_database_or_role_that_does_not_exist_is_named_at_once(string user, string database, string problem)
    {
        var url = $"postgres://{user}@127.0.0.1:{server.Port}/{database}";
        var table = WorkerFixtures.Table(Path.Combine(_dir, "t.csv"), keep: 7);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = CliProcess.Run(WorkerFixtures.Nb201(url, "s", table, 5));
        Assert.True(r.ExitCode == 1, r.Transcript);
        var error = Assert.Single(r.Err, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Equal($"error: Cannot open the PostgreSQL study store {url}: {problem}", error);
        Assert.DoesNotContain(r.Err, l => l.StartsWith("warning: ", StringComparison.Ordinal)); // not retried: it will not get better
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"took {sw.Elapsed}");
    }
}
