namespace NasNotebooks.Tests;

/// <summary>A temporary folder removed at the end of a test (linked into the test projects that need one).</summary>
internal sealed class TempDir : IDisposable
{
    /// <param name="prefix">Start of the folder's name under the temp folder, so that a leftover says which tests made it.</param>
    public TempDir(string prefix = "nas-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
