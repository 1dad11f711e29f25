using System.Text.Json;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Dashboard.Live;

/// <summary>
/// The JSON a study page reads: the snapshot it starts from and the change events that keep it current.
/// Trials are compact arrays: <c>[id, status, pruned, values, decisions, metrics, worker, createdMs, endedMs,
/// reason, dna, steps]</c>, with <c>decisions</c> aligned with the payload's <c>decisions</c> column names.
/// </summary>
internal static class StudyPayload
{
    /// <summary>Writes the fields shared by snapshots and change events, with the trials changed after <paramref name="since"/> (all for 0).</summary>
    public static void WriteBody(Utf8JsonWriter w, StudyState state, long since)
    {
        w.WriteNumber("epoch", state.Epoch);
        w.WriteNumber("version", state.Version);
        if (state.Error is null) w.WriteNull("error"); else w.WriteString("error", state.Error);
        w.WriteBoolean("gone", state.Gone);
        WriteStrings(w, "decisions", state.DecisionColumns);
        WriteStrings(w, "metrics", state.MetricColumns);
        WriteStrings(w, "objectives", state.Objectives);
        w.WriteStartArray("trials");
        foreach (var e in since <= 0 ? state.Entries : state.ChangedAfter(since)) WriteTrial(w, e, state.DecisionColumns, state.MetricColumns);
        w.WriteEndArray();
        w.WritePropertyName("best");
        if (state.Best is { } best)
        {
            w.WriteStartObject();
            w.WriteNumber("id", best.Id);
            w.WritePropertyName("values");
            WriteNumbers(w, best.Trial.FinalReward!.Value.Values);
            w.WriteString("dna", best.Trial.Dna.ToString());
            w.WriteStartObject("decisions");
            foreach (var (k, v) in best.Decisions) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteStartObject("metrics");
            foreach (var (k, v) in best.Trial.Metrics) WriteNumber(w, k, v);
            w.WriteEndObject();
            if (state.BestMaterialized is null) w.WriteNull("materialized"); else w.WriteString("materialized", state.BestMaterialized);
            w.WriteEndObject();
        }
        else w.WriteNullValue();
    }

    private static void WriteTrial(Utf8JsonWriter w, TrialEntry e, string[] decisions, string[] metrics)
    {
        var t = e.Trial;
        w.WriteStartArray();
        w.WriteNumberValue(t.Id);
        w.WriteStringValue(Status(t.Status));
        w.WriteNumberValue(e.Pruned ? 1 : 0);
        if (t.FinalReward is { } r) WriteNumbers(w, r.Values); else w.WriteNullValue();
        w.WriteStartArray();
        foreach (var d in decisions) { if (e.Decisions.TryGetValue(d, out var v)) w.WriteStringValue(v); else w.WriteNullValue(); }
        w.WriteEndArray();
        if (t.Metrics.Count == 0) w.WriteNullValue();
        else
        {
            w.WriteStartArray();
            foreach (var m in metrics) { if (t.Metrics.TryGetValue(m, out var v) && double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue(); }
            w.WriteEndArray();
        }
        if (t.Worker is null) w.WriteNullValue(); else w.WriteStringValue(t.Worker);
        w.WriteNumberValue(t.CreatedAt.ToUnixTimeMilliseconds());
        if (t.EndedAt is { } end) w.WriteNumberValue(end.ToUnixTimeMilliseconds()); else w.WriteNullValue();
        if (t.Reason is null) w.WriteNullValue(); else w.WriteStringValue(t.Reason);
        w.WriteStringValue(t.Dna.ToString());
        w.WriteNumberValue(t.Measurements.Count);
        w.WriteEndArray();
    }

    public static string Status(TrialStatus s) => s switch
    {
        TrialStatus.Pending => "pending",
        TrialStatus.Completed => "completed",
        TrialStatus.Failed => "failed",
        _ => "skipped",
    };

    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void WriteNumbers(Utf8JsonWriter w, IEnumerable<double> values)
    {
        w.WriteStartArray();
        foreach (var v in values) { if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue(); }
        w.WriteEndArray();
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    /// <summary>The study's own fields (snapshot only).</summary>
    public static void WriteStudy(Utf8JsonWriter w, StoreEntry store, string study, StudyInfo? info)
    {
        w.WriteString("store", store.Key);
        w.WriteString("location", store.Location);
        w.WriteString("study", study);
        if (info is null) return;
        w.WriteString("algorithm", info.Algorithm);
        if (info.AlgorithmSettings is null) w.WriteNull("algorithmSettings"); else w.WriteString("algorithmSettings", info.AlgorithmSettings);
        w.WriteNumber("createdAt", info.CreatedAt.ToUnixTimeMilliseconds());
        w.WriteStartObject("metadata");
        foreach (var (k, v) in info.Metadata) w.WriteString(k, v);
        w.WriteEndObject();
    }
}
