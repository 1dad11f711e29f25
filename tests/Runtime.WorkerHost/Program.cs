using System.Globalization;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.WorkerHost;

// A study worker process for the tests:
//   dotnet Runtime.WorkerHost.dll --store STORE --study NAME --trials N [--algorithm random|hill|NAME] [--seed S]
//       [--delay-ms D] [--lease-ms L] [--parallel P] [--worker ID] [--hang-after N] [--write-flag FILE] [--wait-for FILE]
// Prints "start ID" before and "done ID DNA" after each evaluation, then "finished REASON".
// --algorithm: the test doubles random and hill, or any name of AlgorithmCatalog (evolution, tpe, bananas...).
// With --hang-after N, the evaluation after the N-th one prints "hang ID" and never ends (the lease is
// still renewed), so that a test can kill the process at a known point with a trial in flight.
// With --write-flag FILE, one byte of FILE (memory-mapped) names the store write under way (WriteFlag), so that
// a test that kills the process can tell whether the kill landed during a store write.
// With --wait-for FILE, it prints "ready" once started and waits for FILE to exist before it searches (so that a
// test can start several workers at the same moment).
var opts = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Usage($"unexpected argument '{args[i]}'");
    opts[args[i][2..]] = args[i + 1];
}
if (args.Length % 2 != 0) return Usage($"option '{args[^1]}' has no value");
if (!opts.TryGetValue("store", out var storeText) || !opts.TryGetValue("study", out var study) || !opts.TryGetValue("trials", out var trialsText))
    return Usage("--store, --study and --trials are required");

int Int(string name, int fallback) => opts.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
int trials = int.Parse(trialsText, CultureInfo.InvariantCulture);
int seed = Int("seed", 7);
int delay = Int("delay-ms", 0);
int hangAfter = Int("hang-after", -1);
int started = 0;
var lease = TimeSpan.FromMilliseconds(Int("lease-ms", 60_000));
string algorithm = opts.GetValueOrDefault("algorithm", "random");
Func<ISearchAlgorithm> factory = algorithm switch
{
    "random" => () => new SeededRandomSearch(seed),
    "hill" => () => new SeededHillClimber(seed),
    _ when NasNotebooks.Runtime.Algorithms.AlgorithmCatalog.IsKnown(algorithm) => () => NasNotebooks.Runtime.Algorithms.AlgorithmCatalog.Create(algorithm, seed),
    _ => throw new ArgumentException($"unknown --algorithm '{algorithm}' (random, hill or a name of AlgorithmCatalog)"),
};

using var flag = opts.TryGetValue("write-flag", out var flagPath) ? new WriteFlag(flagPath) : null;
using var opened = StudyStore.Open(storeText);
var store = flag?.Wrap(opened) ?? opened;
if (opts.TryGetValue("wait-for", out var goFile))
{
    Console.WriteLine("ready");
    while (!File.Exists(goFile)) await Task.Delay(5);
}
var options = new SearchOptions
{
    MaxTrials = trials,
    LeaseDuration = lease,
    HeartbeatInterval = lease / 3,
    Parallelism = Int("parallel", 1),
    WorkerId = opts.GetValueOrDefault("worker"),
};
var result = await StudyWorker.RunAsync(store, study, TestSpaces.Flat(), factory, async (candidate, feedback, ct) =>
{
    Console.WriteLine($"start {feedback.TrialId}");
    if (hangAfter >= 0 && Interlocked.Increment(ref started) > hangAfter)
    {
        Console.WriteLine($"hang {feedback.TrialId}");
        await Task.Delay(Timeout.Infinite, CancellationToken.None);
    }
    if (delay > 0) await Task.Delay(delay, ct);
    feedback.Done(TestSpaces.Objective(candidate));
    Console.WriteLine($"done {feedback.TrialId} {feedback.Dna}");
}, options);
Console.WriteLine($"finished {result.StopReason}");
return 0;

static int Usage(string error)
{
    Console.Error.WriteLine($"Runtime.WorkerHost: {error}");
    Console.Error.WriteLine("usage: Runtime.WorkerHost --store STORE --study NAME --trials N [--algorithm random|hill|NAME] [--seed S] [--delay-ms D] [--lease-ms L] [--parallel P] [--worker ID] [--hang-after N] [--write-flag FILE] [--wait-for FILE]");
    return 2;
}
