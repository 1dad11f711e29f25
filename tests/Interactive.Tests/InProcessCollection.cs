namespace NasNotebooks.Interactive.Tests;

/// <summary>
/// The in-process tests share process-wide state of the loaded extension (formatters, the "plotly.js already sent"
/// flag, the session's studies): they run one class at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessCollection
{
    public const string Name = "in-process .NET Interactive";
}
