using System.Text.Json;

namespace NasNotebooks.Kernel;

/// <summary>The contents of a Jupyter connection file.</summary>
internal sealed record ConnectionInfo(
    string Transport,
    string Ip,
    int ShellPort,
    int ControlPort,
    int IopubPort,
    int StdinPort,
    int HbPort,
    string Key,
    string SignatureScheme)
{
    public string Endpoint(int port) => $"{Transport}://{Ip}:{port}";

    public static ConnectionInfo Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read connection file '{path}': {e.Message}", nameof(path), e);
        }
        return Parse(json, path);
    }

    public static ConnectionInfo Parse(string json, string source = "connection file")
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string Str(string name, string? fallback = null)
        {
            if (root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
            {
                return v.GetString()!;
            }
            return fallback ?? throw new ArgumentException($"{source}: missing string field '{name}'");
        }
        int Port(string name)
        {
            if (root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var p))
            {
                return p;
            }
            throw new ArgumentException($"{source}: missing integer field '{name}'");
        }
        var transport = Str("transport", "tcp");
        if (transport != "tcp")
        {
            throw new ArgumentException($"{source}: transport '{transport}' is not supported; expected 'tcp'");
        }
        var scheme = Str("signature_scheme", "hmac-sha256");
        var key = Str("key", "");
        if (key.Length > 0 && scheme != "hmac-sha256")
        {
            throw new ArgumentException($"{source}: signature_scheme '{scheme}' is not supported; expected 'hmac-sha256'");
        }
        return new ConnectionInfo(transport, Str("ip", "127.0.0.1"), Port("shell_port"), Port("control_port"),
            Port("iopub_port"), Port("stdin_port"), Port("hb_port"), key, scheme);
    }
}
