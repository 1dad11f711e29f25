using System.Collections;
using System.Reflection;

namespace NasNotebooks.Generators.EndToEnd.Tests;

/// <summary>Field-by-field comparison of CLR objects (public properties and fields, lists element-wise).</summary>
internal static class DeepEqual
{
    public static void Assert(object? expected, object? actual, string path = "value")
    {
        if (expected is null || actual is null)
        {
            Xunit.Assert.True(expected is null && actual is null, $"{path}: {expected ?? "null"} vs {actual ?? "null"}");
            return;
        }
        Xunit.Assert.True(expected.GetType() == actual.GetType(), $"{path}: type {expected.GetType().Name} vs {actual.GetType().Name}");
        var t = expected.GetType();
        if (t.IsPrimitive || t.IsEnum || expected is string or decimal)
        {
            Xunit.Assert.True(expected.Equals(actual), $"{path}: {expected} vs {actual}");
            return;
        }
        if (expected is IList le)
        {
            var la = (IList)actual;
            Xunit.Assert.True(le.Count == la.Count, $"{path}: {le.Count} items vs {la.Count}");
            for (int i = 0; i < le.Count; i++) Assert(le[i], la[i], $"{path}[{i}]");
            return;
        }
        foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
            Assert(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}");
        foreach (var f in t.GetFields(BindingFlags.Public | BindingFlags.Instance))
            Assert(f.GetValue(expected), f.GetValue(actual), $"{path}.{f.Name}");
    }
}
