namespace NasNotebooks.Magics;

/// <summary>A handle on a display output; <see cref="Update"/> replaces its content in place.</summary>
/// <param name="displayId">The host's id of the output (Jupyter's <c>transient.display_id</c>).</param>
/// <param name="update">How the host replaces the output's content with a new value.</param>
public sealed class DisplayHandle(string displayId, Action<object?> update)
{
    /// <summary>The <c>transient.display_id</c> of the output.</summary>
    public string DisplayId { get; } = displayId;

    /// <summary>Replaces the displayed content with <paramref name="value"/> (sends update_display_data).</summary>
    public void Update(object? value) => update(value);

    /// <inheritdoc/>
    public override string ToString() => $"DisplayHandle({DisplayId})";
}
