using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Nb201;
using NasNotebooks.Runtime.Torch;

namespace NasNotebooks.Runtime.Presets;

/// <summary>A ready-made search problem: a space and an evaluator (for workers started from the command line).</summary>
/// <param name="Name">Preset name.</param>
/// <param name="Space">The search space.</param>
/// <param name="Evaluator">How a candidate is evaluated.</param>
public sealed record SearchPreset(string Name, object Space, IEvaluator Evaluator);

/// <summary>
/// Named search problems that worker processes can run without code: <c>digits-mlp</c> (MLPs trained
/// with TorchSharp on the digits data set) and <c>nb201</c> (the NAS-Bench-201 cell space looked up in
/// an NB201-format table).
/// </summary>
public static class SearchPresets
{
    /// <summary>The preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["digits-mlp", "nb201"];

    /// <summary>The MLP family searched on digits (hidden layers, activation, dropout).</summary>
    public static SymObject DigitsMlpSpace() => Space.Object<MlpArchitecture>()
        .Set(a => a.Hidden, Hyper.OneOf(new[] { 32 }, new[] { 64 }, new[] { 128 }, new[] { 64, 32 }, new[] { 128, 64 }).Named("hidden"))
        .Set(a => a.Activation, Hyper.OneOf(Activation.ReLU, Activation.GELU, Activation.Tanh).Named("activation"))
        .Set(a => a.Dropout, Hyper.OneOf(0.0, 0.1, 0.3).Named("dropout"))
        .Build();

    /// <summary>Creates a preset.</summary>
    /// <param name="name">A name from <see cref="Names"/>.</param>
    /// <param name="dataPath">digits.csv(.gz) for digits-mlp, the NB201 CSV for nb201; null: NAS_DIGITS_PATH / NASNB_DATA or the usual places.</param>
    /// <param name="epochs">Training epochs per candidate (digits-mlp).</param>
    /// <param name="seed">Seed of the data split and weight initialization (digits-mlp).</param>
    /// <exception cref="ArgumentException">Unknown preset, or no data file could be found; the message says where it looked.</exception>
    public static SearchPreset Create(string name, string? dataPath = null, int epochs = 2, int seed = 0)
    {
        switch (name)
        {
            case "digits-mlp":
            {
                var path = dataPath ?? Environment.GetEnvironmentVariable(Datasets.DigitsPathVariable)
                    ?? new[] { "data/digits.csv.gz", "../data/digits.csv.gz" }.FirstOrDefault(File.Exists)
                    ?? throw new ArgumentException($"No digits data: pass the path of digits.csv.gz or set {Datasets.DigitsPathVariable}.", nameof(dataPath));
                var data = Datasets.LoadDigits(Path.GetFullPath(path), seed: seed, layout: DataLayout.Flat);
                var evaluator = new TorchSearchEvaluator(data, new TrainingOptions { Budget = TrainingBudget.FromEpochs(epochs), LearningRate = 3e-3, Seed = seed, Threads = 1 });
                return new SearchPreset(name, DigitsMlpSpace(), evaluator);
            }
            case "nb201":
            {
                var path = dataPath ?? Nb201Table.FindDefault()
                    ?? throw new ArgumentException($"No NB201 table: pass the path of an NB201-format CSV or set {Nb201Table.EnvironmentVariable}.", nameof(dataPath));
                var table = Nb201Table.Load(path);
                return new SearchPreset(name, Nb201Space.Create(), Evaluators.From(async (candidate, feedback, _) =>
                {
                    await Task.Yield();
                    var record = table.Lookup((IReadOnlyDictionary<string, object?>)candidate!);
                    feedback.Done(record.ValidAccuracy, new Dictionary<string, double> { ["test_accuracy"] = record.TestAccuracy, ["params"] = record.Params });
                }));
            }
            default:
                throw new ArgumentException($"Unknown preset '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
        }
    }
}
