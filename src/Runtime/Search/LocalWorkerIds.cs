using System.Diagnostics;
using System.Globalization;

namespace NasNotebooks.Runtime;

/// <summary>
/// Default worker ids, <c>HOST/PID/SUFFIX</c>, and the check that tells a trial held by a process of this machine
/// that is gone (killed, crashed) from one held by a live or a remote worker. Such a trial can be served again at
/// once instead of after its lease: a kernel or worker restarted on the same machine resumes without waiting.
/// </summary>
internal static class LocalWorkerIds
{
    /// <summary>A new id for a worker of this process: host name, process id and a random suffix.</summary>
    public static string NewId() => $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// True when <paramref name="worker"/> is a default id of this machine whose process no longer runs. Ids of other
    /// hosts, of this process (an earlier search in it may still be running in the background), custom ids and live
    /// processes are never taken for dead; a reused process id only makes the check say "alive" (the lease decides).
    /// </summary>
    public static bool IsDeadLocalProcess(string? worker)
    {
        if (worker is null) return false;
        var parts = worker.Split('/');
        if (parts.Length != 3 || parts[2].Length != 8 || !parts[2].All(Uri.IsHexDigit)) return false;
        if (!string.Equals(parts[0], Environment.MachineName, StringComparison.Ordinal)) return false;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0 || pid == Environment.ProcessId) return false;
        if (OperatingSystem.IsLinux())
        {
            // /proc/PID/stat: "PID (name) S ..."; a zombie (Z) or dead (X) process is gone, its parent has not reaped it yet.
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return true; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException) { return true; } // no process with that id
        catch (InvalidOperationException) { return true; }
    }
}
