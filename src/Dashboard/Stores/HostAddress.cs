using System.Net;

namespace NasNotebooks.Dashboard;

/// <summary>Reads and checks the <c>--host</c> value.</summary>
internal static class HostAddress
{
    /// <summary>The address for <paramref name="host"/>: an IPv4/IPv6 address or <c>localhost</c>.</summary>
    /// <exception cref="ArgumentException">Anything else; the message shows the accepted forms.</exception>
    public static IPAddress Parse(string host)
    {
        if (string.IsNullOrWhiteSpace(host))
            throw new ArgumentException("--host is empty; expected an IP address such as 127.0.0.1 (this machine only, the default) or 0.0.0.0 (every interface).");
        var h = host.Trim();
        if (h.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (h.StartsWith('[') && h.EndsWith(']')) h = h[1..^1];
        if (IPAddress.TryParse(h, out var ip)) return ip;
        throw new ArgumentException($"--host '{host}' is not an IP address; expected e.g. 127.0.0.1 (this machine only, the default), ::1, 0.0.0.0 (every interface) or localhost.");
    }

    /// <summary>The host part of a URL for <paramref name="ip"/> (IPv6 in brackets; the any-address shown as the loopback, which works from this machine).</summary>
    public static string ForUrl(IPAddress ip)
    {
        if (ip.Equals(IPAddress.Any)) return "127.0.0.1";
        if (ip.Equals(IPAddress.IPv6Any)) return "[::1]";
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
    }
}
