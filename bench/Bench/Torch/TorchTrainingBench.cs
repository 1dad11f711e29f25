using System.Globalization;
using NasNotebooks.Runtime.Torch;
using TorchSharp;

namespace NasNotebooks.Bench.Torch;

/// <summary>
/// Training throughput of <see cref="TorchTrainer"/> on digits: the MLP 64-128-128-10 and the CNN
/// conv3x3(16)-conv3x3(32)-linear(10) (no padding, ReLU), Adam, batch 64, 2 threads.
/// Usage: <c>torch-train [--data PATH] [--epochs E] [--repeats R] [--threads T]</c>.
/// Prints one <c>RESULT name samples_per_second</c> line per model (median of R runs after one untimed warm-up run).
/// </summary>
public static class TorchTrainingBench
{
    public static int Run(string[] args)
    {
        string data = BenchArgs.Option(args, "--data") ?? Path.Combine(BenchArgs.FindRepoRoot(), "data", "digits.csv.gz");
        int epochs = int.Parse(BenchArgs.Option(args, "--epochs") ?? "5", CultureInfo.InvariantCulture);
        int repeats = int.Parse(BenchArgs.Option(args, "--repeats") ?? "5", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArgs.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        string only = BenchArgs.Option(args, "--model") ?? "all";

        var images = Datasets.LoadDigits(data, seed: 0);
        var flat = images.AsFlat();
        var options = new TrainingOptions
        {
            Budget = TrainingBudget.FromEpochs(epochs),
            Optimizer = OptimizerKind.Adam,
            LearningRate = 1e-3,
            BatchSize = 64,
            Threads = threads,
            EvaluateEveryEpoch = false,
            LatencyRuns = 0,
        };
        var models = new (string Name, NetworkArchitecture Arch, DataSplit Data)[]
        {
            ("mlp", new MlpArchitecture([128, 128], Activation.ReLU), flat),
            ("cnn", new CnnArchitecture([new CnnStage(1, 16), new CnnStage(1, 32)], SamePadding: false), images),
        };
        Console.WriteLine($"TorchSharp trainer: {epochs} epochs x {repeats} runs, batch 64, Adam, {threads} threads, {images.Train.Count} training samples");
        foreach (var (name, arch, split) in models)
        {
            if (only != "all" && only != name)
            {
                continue;
            }
            TorchTrainer.Train(arch, split, options); // warm-up run (JIT tiers, allocator)
            var rates = new List<double>();
            double accuracy = 0;
            for (int r = 0; r < repeats; r++)
            {
                var result = TorchTrainer.Train(arch, split, options with { Seed = r });
                if (!result.Succeeded)
                {
                    Console.Error.WriteLine($"{name}: {result.Error}");
                    return 1;
                }
                rates.Add(result.SamplesPerSecond);
                accuracy = result.Accuracy;
            }
            rates.Sort();
            double median = rates[rates.Count / 2];
            Console.WriteLine($"  {name}: runs {string.Join(" ", rates.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} samples/s; last test accuracy {accuracy:P1}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {median:F1}"));

            // The same loop written directly against TorchSharp (no trainer), to show the trainer's own overhead.
            RawLoop(arch, split, epochs, seed: 0);
            var raw = Enumerable.Range(0, repeats).Select(r => RawLoop(arch, split, epochs, r)).Order().ToList();
            Console.WriteLine($"  {name} raw TorchSharp loop: runs {string.Join(" ", raw.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} samples/s");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name}-raw {raw[raw.Count / 2]:F1}"));
        }
        return 0;
    }

    private static double RawLoop(NetworkArchitecture arch, DataSplit split, int epochs, int seed)
    {
        torch.manual_seed(seed);
        using var model = arch.Build(split.Train.SampleShape, split.Train.ClassCount);
        model.train();
        using var opt = torch.optim.Adam(model.parameters(), 1e-3);
        int n = split.Train.Count;
        const int batch = 64;
        long steps = n / batch + (n % batch >= 2 ? 1 : 0);
        using var x = torch.tensor(split.Train.Features.ToArray(), [n, .. split.Train.SampleShape]);
        using var y = torch.tensor(split.Train.Labels.ToArray(), [n]);
        var g = new torch.Generator((ulong)seed);
        long samples = 0;
        var clock = new System.Diagnostics.Stopwatch();
        for (int e = 0; e < epochs; e++)
        {
            clock.Start();
            using (var epochScope = torch.NewDisposeScope())
            {
                var perm = torch.randperm(n, generator: g);
                var xs = x.index_select(0, perm);
                var ys = y.index_select(0, perm);
                for (long b = 0; b < steps; b++)
                {
                    using var scope = torch.NewDisposeScope();
                    long len = Math.Min(batch, n - b * batch);
                    var xb = xs.narrow(0, b * batch, len);
                    var yb = ys.narrow(0, b * batch, len);
                    opt.zero_grad();
                    var loss = torch.nn.functional.cross_entropy(model.call(xb), yb);
                    loss.backward();
                    opt.step();
                    if (!float.IsFinite(loss.item<float>()))
                    {
                        throw new InvalidOperationException("loss diverged");
                    }
                    samples += len;
                }
            }
            clock.Stop();
        }
        return samples / clock.Elapsed.TotalSeconds;
    }
}
