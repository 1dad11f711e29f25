using System.Globalization;
using System.Text;
using NasNotebooks.Runtime.Nb201;

namespace NasNotebooks.Kernel.Tests.Cli;

/// <summary>Files for the worker tests: NB201-format tables written from the space itself (no data download).</summary>
internal static class WorkerFixtures
{
    /// <summary>
    /// Writes an NB201-format CSV with a row for every <paramref name="keep"/>-th architecture of the 15,625 (1: all),
    /// valid accuracy from <paramref name="valid"/> (code → value; default a deterministic spread in 60..95).
    /// </summary>
    public static string Table(string path, int keep = 1, Func<int, string>? valid = null)
    {
        var sb = new StringBuilder("index,arch,cifar10_valid_acc,cifar10_test_acc,params\n");
        for (int code = 0; code < 15625; code += keep)
        {
            var ops = new int[6];
            for (int e = 5, c = code; e >= 0; e--, c /= 5) ops[e] = c % 5;
            var acc = valid?.Invoke(code) ?? (60 + 35 * ((code * 7919) % 15625) / 15625.0).ToString("0.###", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"{code},{Nb201Space.ArchString(ops)},{acc},{acc},{1000 + code}\n");
        }
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    /// <summary>Worker arguments for the nb201 preset on a table, random search (fast proposals).</summary>
    public static string[] Nb201(string store, string study, string table, int trials, params string[] more) =>
        ["worker", "--study", store, "--name", study, "--preset", "nb201", "--algo", "random", "--trials", trials.ToString(CultureInfo.InvariantCulture), "--data", table, .. more];
}
