using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.WorkerHost;

/// <summary>The space and free deterministic objective shared by the study tests and the worker processes.</summary>
public static class TestSpaces
{
    /// <summary>Two choices of ten integers and a float in [0, 1].</summary>
    public static SymDict Flat() => Space.Dict()
        .OneOf("a", Enumerable.Range(0, 10).Cast<object?>().ToArray())
        .OneOf("b", Enumerable.Range(0, 10).Cast<object?>().ToArray())
        .Float("x", 0.0, 1.0)
        .Build();

    /// <summary>A space of another shape, for the mismatch tests.</summary>
    public static SymDict Other() => Space.Dict()
        .OneOf("a", Enumerable.Range(0, 12).Cast<object?>().ToArray())
        .OneOf("b", Enumerable.Range(0, 10).Cast<object?>().ToArray())
        .Float("x", 0.0, 1.0)
        .Build();

    /// <summary>Best at a = 3, b = 7, x = 0.25 (reward 0).</summary>
    public static double Objective(object? candidate)
    {
        var d = (SymDict)candidate!;
        double a = Convert.ToDouble(d["a"], System.Globalization.CultureInfo.InvariantCulture);
        double b = Convert.ToDouble(d["b"], System.Globalization.CultureInfo.InvariantCulture);
        double x = Convert.ToDouble(d["x"], System.Globalization.CultureInfo.InvariantCulture);
        return -(a - 3) * (a - 3) - (b - 7) * (b - 7) - 10 * (x - 0.25) * (x - 0.25);
    }
}
