using System.Globalization;
using System.Text;
using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// Structural fingerprint of a space: one line per decision point, <c>id: kind</c> (choices with their
/// candidate count, floats with their range and scale). Two spaces with the same fingerprint accept
/// the same DNAs, so a study may be resumed with an equal (or renamed-candidate) space.
/// </summary>
public static class SpaceFingerprint
{
    /// <summary>The fingerprint of <paramref name="spec"/>.</summary>
    public static string Of(SpaceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var sb = new StringBuilder();
        foreach (var dp in spec.DecisionPoints)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(dp.Id.Length == 0 ? "<root>" : dp.Id).Append(": ").Append(Describe(dp));
        }
        return sb.ToString();
    }

    private static string Describe(DecisionPoint dp) => dp switch
    {
        ChoicesSpec c => string.Create(CultureInfo.InvariantCulture, $"choice of {c.CandidateCount}"),
        FloatSpec f => string.Create(CultureInfo.InvariantCulture, $"float [{f.Min:R}, {f.Max:R}] {f.Scale}"),
        CustomSpec c => $"custom {c.Implementation.GetType().FullName}",
        _ => dp.GetType().Name,
    };

    /// <summary>Explains how two fingerprints differ (the first differing decision, and the counts).</summary>
    public static string Difference(string stored, string current)
    {
        var a = stored.Length == 0 ? [] : stored.Split('\n');
        var b = current.Length == 0 ? [] : current.Split('\n');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
            if (a[i] != b[i])
                return $"decision {i + 1} was '{a[i]}', now '{b[i]}'";
        if (a.Length != b.Length)
            return a.Length > b.Length
                ? $"it had {a.Length} decisions, now {b.Length} (missing '{a[b.Length]}')"
                : $"it had {a.Length} decisions, now {b.Length} (new '{b[a.Length]}')";
        return "the fingerprints differ";
    }
}
