using System.Data.Common;
using System.Globalization;

namespace NasNotebooks.Runtime.Studies;

public abstract partial class SqlStudyStore
{
    /// <summary>SQL expression for the first objective of a stored reward (a JSON array in <paramref name="column"/>) as a double.</summary>
    private protected abstract string FirstObjective(string column);

    /// <inheritdoc />
    public IReadOnlyList<StudySummary> GetStudySummaries() => Execute(c =>
    {
        var studies = new List<(string Name, string Algorithm, long Created)>();
        using (var cmd = Command(c, null, "SELECT name, algorithm, created_at FROM studies ORDER BY created_at, name"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) studies.Add((r.GetString(0), r.GetString(1), Long(r, 2) ?? 0));
        var counts = new Dictionary<(string, TrialStatus), int>();
        var lastId = new Dictionary<string, int>(StringComparer.Ordinal);
        var activity = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var cmd = Command(c, null, "SELECT study, status, COUNT(*), MAX(id), MAX(created_at), MAX(ended_at) FROM trials GROUP BY study, status"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var s = r.GetString(0);
                counts[(s, StudyJson.ParseStatus(r.GetString(1)))] = (int)(Long(r, 2) ?? 0);
                lastId[s] = Math.Max(lastId.GetValueOrDefault(s), (int)(Long(r, 3) ?? 0));
                activity[s] = Math.Max(activity.GetValueOrDefault(s), Math.Max(Long(r, 4) ?? 0, Long(r, 5) ?? 0));
            }
        var best = new Dictionary<string, (int Id, double Value)>(StringComparer.Ordinal);
        var v = FirstObjective("reward");
        using (var cmd = Command(c, null,
            $"SELECT study, id, v FROM (SELECT study, id, {v} AS v, ROW_NUMBER() OVER (PARTITION BY study ORDER BY {v} DESC, id) AS rn " +
            "FROM trials WHERE status = 'completed' AND reward IS NOT NULL) b WHERE rn = 1"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (!r.IsDBNull(2)) best[r.GetString(0)] = ((int)(Long(r, 1) ?? 0), Convert.ToDouble(r.GetValue(2), CultureInfo.InvariantCulture));
        return (IReadOnlyList<StudySummary>)studies.Select(s =>
        {
            int N(TrialStatus st) => counts.GetValueOrDefault((s.Name, st));
            var b = best.TryGetValue(s.Name, out var x) ? x : ((int Id, double Value)?)null;
            return new StudySummary(s.Name, s.Algorithm, DateTimeOffset.FromUnixTimeMilliseconds(s.Created),
                N(TrialStatus.Pending), N(TrialStatus.Completed), N(TrialStatus.Failed), N(TrialStatus.Skipped),
                lastId.GetValueOrDefault(s.Name), activity.TryGetValue(s.Name, out var a) ? DateTimeOffset.FromUnixTimeMilliseconds(a) : null,
                b?.Id, b?.Value);
        }).ToList();
    });

    /// <inheritdoc />
    public IReadOnlyList<Trial> GetTrialsAfter(string study, int afterId) => Execute(c =>
        ReadTrials(c, study, "id > @after", "trial_id > @after", [("@after", afterId)]));

    /// <inheritdoc />
    public IReadOnlyList<Trial> GetTrialsById(string study, IReadOnlyCollection<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = ids.Distinct().Order().ToArray();
        if (wanted.Length == 0) return [];
        return Execute(c =>
        {
            var result = new List<Trial>(wanted.Length);
            foreach (var chunk in wanted.Chunk(500))
            {
                var names = chunk.Select((_, i) => "@i" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
                var list = string.Join(", ", names);
                var ps = chunk.Select((id, i) => (names[i], (object?)id)).ToArray();
                result.AddRange(ReadTrials(c, study, $"id IN ({list})", $"trial_id IN ({list})", ps));
            }
            return (IReadOnlyList<Trial>)result;
        });
    }

    /// <summary>The trials matching <paramref name="trialWhere"/> with their measurements (matched by <paramref name="measurementWhere"/>), in id order.</summary>
    private static IReadOnlyList<Trial> ReadTrials(DbConnection c, string study, string trialWhere, string measurementWhere, (string, object?)[] parameters)
    {
        (string, object?)[] ps = [("@s", study), .. parameters];
        var byTrial = new Dictionary<int, List<Measurement>>();
        using (var mc = Command(c, null, $"SELECT trial_id, step, reward, metrics, elapsed FROM measurements WHERE study = @s AND {measurementWhere} ORDER BY trial_id, step", ps))
        using (var mr = mc.ExecuteReader())
            while (mr.Read())
            {
                int id = (int)(Long(mr, 0) ?? 0);
                if (!byTrial.TryGetValue(id, out var list)) byTrial[id] = list = [];
                list.Add(ReadMeasurement(mr, 1));
            }
        var trials = new List<Trial>();
        using var cmd = Command(c, null, $"SELECT {TrialColumns} FROM trials WHERE study = @s AND {trialWhere} ORDER BY id", ps);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            int id = (int)(Long(r, 0) ?? 0);
            trials.Add(ReadTrial(r, byTrial.GetValueOrDefault(id)));
        }
        return trials;
    }
}
