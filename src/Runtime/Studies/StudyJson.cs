using System.Text.Json;
using System.Text.Json.Serialization;

namespace NasNotebooks.Runtime.Studies;

/// <summary>JSON forms of rewards, metrics and metadata as stored in study stores.</summary>
internal static class StudyJson
{
    private static readonly JsonSerializerOptions Options = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string? Reward(Reward? reward) => reward is { Count: > 0 } r ? JsonSerializer.Serialize(r.Values, Options) : null;

    public static Reward? ParseReward(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        var values = JsonSerializer.Deserialize<double[]>(json, Options);
        return values is { Length: > 0 } ? new Reward(values) : null;
    }

    public static string? Metrics(IReadOnlyDictionary<string, double>? metrics) =>
        metrics is null || metrics.Count == 0 ? null : JsonSerializer.Serialize(metrics, Options);

    public static IReadOnlyDictionary<string, double> ParseMetrics(string? json) =>
        string.IsNullOrEmpty(json) ? Empty : JsonSerializer.Deserialize<Dictionary<string, double>>(json, Options) ?? Empty;

    public static string Metadata(IReadOnlyDictionary<string, string>? metadata) =>
        JsonSerializer.Serialize(metadata ?? new Dictionary<string, string>(), Options);

    public static Dictionary<string, string> ParseMetadata(string? json) =>
        string.IsNullOrEmpty(json) ? new() : JsonSerializer.Deserialize<Dictionary<string, string>>(json, Options) ?? new();

    public static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();

    public static string Status(TrialStatus s) => s switch
    {
        TrialStatus.Pending => "pending",
        TrialStatus.Completed => "completed",
        TrialStatus.Failed => "failed",
        TrialStatus.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static TrialStatus ParseStatus(string s) => s switch
    {
        "pending" => TrialStatus.Pending,
        "completed" => TrialStatus.Completed,
        "failed" => TrialStatus.Failed,
        "skipped" => TrialStatus.Skipped,
        _ => throw new StudyStoreFormatException($"Unknown trial status '{s}' in the study store (expected pending, completed, failed or skipped)."),
    };
}
