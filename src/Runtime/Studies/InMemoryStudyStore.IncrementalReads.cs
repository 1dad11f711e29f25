namespace NasNotebooks.Runtime.Studies;

public sealed partial class InMemoryStudyStore
{
    /// <inheritdoc />
    public IReadOnlyList<StudySummary> GetStudySummaries()
    {
        lock (_gate)
            return _order.Select(n => _studies[n]).Select(s => StudySummary.Of(s.Info, s.Trials.Select(r => r.ToTrial(false)))).ToList();
    }

    /// <inheritdoc />
    public IReadOnlyList<Trial> GetTrialsAfter(string study, int afterId)
    {
        lock (_gate)
        {
            var rows = Get(study).Trials;
            return rows.Skip(Math.Clamp(afterId, 0, rows.Count)).Select(r => r.ToTrial(true)).ToArray();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Trial> GetTrialsById(string study, IReadOnlyCollection<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            var rows = Get(study).Trials;
            return ids.Distinct().Order().Where(id => id >= 1 && id <= rows.Count).Select(id => rows[id - 1].ToTrial(true)).ToArray();
        }
    }
}
