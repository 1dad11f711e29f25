using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Runtime.Nb201;
using NasNotebooks.Runtime.Torch;
using NasNotebooks.Runtime.Torch.Proxies;

namespace NasNotebooks.Bench.Torch;

/// <summary>
/// Zero-cost proxies vs NAS-Bench-201: scores a seeded sample of NB201 architectures (the CIFAR-10 network
/// topology, built at a small width on 8x8 digits batches: no CIFAR-10 images are available here) with
/// SynFlow, NASWOT, GradNorm and GradSign, and prints the Spearman rank correlation of each score with the table's
/// CIFAR-10 test accuracy (and with the parameter count, for reference).
/// </summary>
public static class ProxyCorrelationBench
{
    public static int Run(string[] args)
    {
        string table = args.Length > 0 ? args[0] : Nb201Table.FindDefault() ?? throw new ArgumentException("pass the NB201 table path");
        int sample = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        int channels = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
        var nb = Nb201Table.Load(table);
        var digits = Datasets.LoadDigits(FindDigits());
        var rng = new Random(0);
        var records = nb.Records.OrderBy(_ => rng.Next()).Take(sample).ToList();
        var syn = new List<double>(); var naswot = new List<double>(); var grad = new List<double>(); var gsign = new List<double>(); var acc = new List<double>(); var prm = new List<double>();
        var sw = Stopwatch.StartNew();
        int failed = 0;
        foreach (var r in records)
        {
            var arch = new Nb201Architecture(Nb201Cell.Parse(r.Arch), channels, 1);
            var s = ZeroCostProxies.Score(arch, digits.Train, batchSize: 64, seed: 0);
            if (!s.Succeeded) { failed++; continue; }
            syn.Add(s.SynFlow); naswot.Add(s.Naswot); grad.Add(s.GradNorm); gsign.Add(s.GradSign); acc.Add(r.TestAccuracy); prm.Add(r.Params);
        }
        Console.WriteLine($"{acc.Count} NB201 architectures (seeded sample of {sample}, {failed} failed), width {channels}, 1 cell per stage, digits batches of 64; {sw.Elapsed.TotalSeconds:0.0} s");
        Console.WriteLine("| proxy | Spearman ρ with CIFAR-10 test accuracy | Spearman ρ with params |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, v) in new[] { ("SynFlow", syn), ("NASWOT", naswot), ("GradNorm", grad), ("GradSign", gsign), ("params (table)", prm) })
            Console.WriteLine($"| {name} | {Spearman(v, acc):0.000} | {Spearman(v, prm):0.000} |");
        return 0;
    }

    private static string FindDigits()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "data", "digits.csv.gz"))) return Path.Combine(d.FullName, "data", "digits.csv.gz");
        throw new FileNotFoundException("data/digits.csv.gz not found");
    }

    /// <summary>Spearman's ρ: Pearson correlation of average ranks (ties share their mean rank).</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var rx = Ranks(x); var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++) { sxy += (rx[i] - mx) * (ry[i] - my); sxx += (rx[i] - mx) * (rx[i] - mx); syy += (ry[i] - my) * (ry[i] - my); }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }

    private static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            for (int k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return ranks;
    }
}
