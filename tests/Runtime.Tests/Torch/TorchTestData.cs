using NasNotebooks.Runtime.Torch;

namespace NasNotebooks.Runtime.Tests.Torch;

/// <summary>Locates shipped data and caches the digits split for the Torch tests.</summary>
internal static class TorchTestData
{
    /// <summary>Torch tests share process-wide state (seed, threads): they run one at a time in this collection.</summary>
    public const string Collection = "Torch";

    private static readonly Lazy<string> RepoRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "data", "digits.csv.gz")))
            {
                return dir.FullName;
            }
        }
        throw new FileNotFoundException("data/digits.csv.gz not found above " + AppContext.BaseDirectory);
    });

    public static string DigitsPath => Path.Combine(RepoRoot.Value, "data", "digits.csv.gz");

    /// <summary>../shared/data next to the repository (developer and CI machines only).</summary>
    public static string SharedData => Path.Combine(RepoRoot.Value, "..", "shared", "data");

    private static readonly Lazy<DataSplit> DigitsImages = new(() => Datasets.LoadDigits(DigitsPath, seed: 0));

    public static DataSplit Digits => DigitsImages.Value;

    public static DataSplit DigitsFlat => DigitsImages.Value.AsFlat();

    public static TrainingOptions Fast(long seed = 0, int epochs = 3) => new()
    {
        Budget = TrainingBudget.FromEpochs(epochs),
        Optimizer = OptimizerKind.Adam,
        LearningRate = 3e-3,
        BatchSize = 64,
        Seed = seed,
        Threads = 2,
        LatencyRuns = 5,
        LatencyWarmup = 2,
    };
}
