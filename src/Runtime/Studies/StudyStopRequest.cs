using System.Globalization;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// A request, kept in the study's metadata, that every worker of the study stop taking new trials (the
/// dashboard's stop button, <c>--allow-stop</c>). Workers look at most once a second; a worker ends its
/// run with <see cref="StopReason.StopRequested"/> when the request is newer than the one it saw when it
/// started, so a stopped study can be resumed. Trials already being evaluated finish normally.
/// </summary>
public static class StudyStopRequest
{
    /// <summary>The metadata key: the request's time in Unix milliseconds.</summary>
    public const string MetadataKey = "stop-requested-at";

    /// <summary>Asks the workers of <paramref name="study"/> to stop.</summary>
    /// <exception cref="KeyNotFoundException">No such study.</exception>
    public static void Request(IStudyStore store, string study)
    {
        ArgumentNullException.ThrowIfNull(store);
        var previous = store.FindStudy(study)?.Metadata.GetValueOrDefault(MetadataKey);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Strictly increasing even when two requests fall in the same millisecond (workers compare the values).
        if (long.TryParse(previous, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p >= now) now = p + 1;
        store.SetMetadata(study, MetadataKey, now.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The value of the latest request in <paramref name="info"/>, or null.</summary>
    public static string? Latest(StudyInfo? info) => info?.Metadata.GetValueOrDefault(MetadataKey);
}
