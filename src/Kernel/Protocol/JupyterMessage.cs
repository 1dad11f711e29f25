using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel;

/// <summary>One Jupyter wire-protocol message (identities, header, parent header, metadata, content).</summary>
internal sealed class JupyterMessage
{
    public const string Delimiter = "<IDS|MSG>";
    public const string ProtocolVersion = "5.3";
    private static readonly byte[] DelimiterBytes = Encoding.ASCII.GetBytes(Delimiter);

    public IReadOnlyList<byte[]> Identities { get; init; } = [];
    public required JsonObject Header { get; init; }
    public JsonObject ParentHeader { get; init; } = new();
    public JsonObject Metadata { get; init; } = new();
    public JsonObject Content { get; init; } = new();
    public IReadOnlyList<byte[]> Buffers { get; init; } = [];

    public string MsgType => Header["msg_type"]?.GetValue<string>() ?? "";
    public string MsgId => Header["msg_id"]?.GetValue<string>() ?? "";

    public static JsonObject NewHeader(string msgType, string session) => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString("N"),
        ["session"] = session,
        ["username"] = "kernel",
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
        ["msg_type"] = msgType,
        ["version"] = ProtocolVersion,
    };

    /// <summary>Builds a message answering (or published on behalf of) <paramref name="parent"/>.</summary>
    public static JupyterMessage Create(string msgType, string session, JsonObject content, JupyterMessage? parent, IReadOnlyList<byte[]>? identities = null) => new()
    {
        Identities = identities ?? parent?.Identities ?? [],
        Header = NewHeader(msgType, session),
        ParentHeader = parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone(),
        Content = content,
    };

    /// <summary>
    /// Decodes the frames of a ZeroMQ multipart message; returns false (with a reason) on any
    /// malformation or bad signature. Never throws for bad input.
    /// </summary>
    public static bool TryDecode(IReadOnlyList<byte[]> frames, MessageSigner signer, out JupyterMessage? message, out string error)
    {
        message = null;
        int delim = -1;
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].AsSpan().SequenceEqual(DelimiterBytes))
            {
                delim = i;
                break;
            }
        }
        if (delim < 0)
        {
            error = "missing <IDS|MSG> delimiter";
            return false;
        }
        if (frames.Count - delim - 1 < 5)
        {
            error = $"expected at least 5 frames after the delimiter, got {frames.Count - delim - 1}";
            return false;
        }
        var sig = frames[delim + 1];
        var header = frames[delim + 2];
        var parent = frames[delim + 3];
        var metadata = frames[delim + 4];
        var content = frames[delim + 5];
        if (!signer.Verify(sig, header, parent, metadata, content))
        {
            error = "invalid HMAC signature";
            return false;
        }
        try
        {
            var h = ParseObject(header, "header");
            if (h["msg_type"] is not JsonValue mt || mt.GetValueKind() != JsonValueKind.String)
            {
                error = "header has no string msg_type";
                return false;
            }
            if (h["msg_id"] is not JsonValue mid || mid.GetValueKind() != JsonValueKind.String)
            {
                // msg_id is required, but some clients send non-string ids; normalise rather than reject.
                h["msg_id"] = h["msg_id"]?.ToJsonString() ?? Guid.NewGuid().ToString("N");
            }
            message = new JupyterMessage
            {
                Identities = frames.Take(delim).ToArray(),
                Header = h,
                ParentHeader = ParseObject(parent, "parent_header"),
                Metadata = ParseObject(metadata, "metadata"),
                Content = ParseObject(content, "content"),
                Buffers = frames.Skip(delim + 6).ToArray(),
            };
            error = "";
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            error = "bad JSON: " + e.Message;
            return false;
        }
    }

    private static JsonObject ParseObject(byte[] bytes, string what)
    {
        var node = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        return node as JsonObject ?? throw new FormatException($"{what} is not a JSON object");
    }

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Valid JSON without escaping HTML-sensitive or non-ASCII characters: outputs carry large HTML/JS payloads.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    internal static byte[] ToUtf8(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes and signs the message into ZeroMQ frames.</summary>
    public List<byte[]> Encode(MessageSigner signer)
    {
        var header = ToUtf8(Header);
        var parent = ToUtf8(ParentHeader);
        var metadata = ToUtf8(Metadata);
        var content = ToUtf8(Content);
        var frames = new List<byte[]>(Identities.Count + 6 + Buffers.Count);
        frames.AddRange(Identities);
        frames.Add(DelimiterBytes);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(header, parent, metadata, content)));
        frames.Add(header);
        frames.Add(parent);
        frames.Add(metadata);
        frames.Add(content);
        frames.AddRange(Buffers);
        return frames;
    }
}
