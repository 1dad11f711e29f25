using System.Text;
using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests;

public sealed class MessageSigningTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    // Reference value computed with Python: hmac.new(b"secret-key", header+parent+metadata+content, hashlib.sha256).hexdigest()
    private const string Expected = "8a0d749a431a924a2389012e9a0b36e668495d75e4e01c71869a435d06ce3fd9";

    [Fact]
    public void Sign_MatchesPythonHmacSha256()
    {
        var signer = new MessageSigner("secret-key");
        Assert.Equal(Expected, signer.Sign(B("{\"msg_type\":\"x\"}"), B("{}"), B("{}"), B("{\"a\":1}")));
    }

    [Fact]
    public void Verify_AcceptsCorrectSignature_InAnyHexCase()
    {
        var signer = new MessageSigner("secret-key");
        Assert.True(signer.Verify(B(Expected), B("{\"msg_type\":\"x\"}"), B("{}"), B("{}"), B("{\"a\":1}")));
        Assert.True(signer.Verify(B(Expected.ToUpperInvariant()), B("{\"msg_type\":\"x\"}"), B("{}"), B("{}"), B("{\"a\":1}")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("8a0d")]
    [InlineData("8a0d749a431a924a2389012e9a0b36e668495d75e4e01c71869a435d06ce3fd8")] // last digit changed
    [InlineData("zz0d749a431a924a2389012e9a0b36e668495d75e4e01c71869a435d06ce3fd9")] // not hex
    [InlineData("8a0d749a431a924a2389012e9a0b36e668495d75e4e01c71869a435d06ce3fd900")] // too long
    public void Verify_RejectsWrongOrMalformedSignatures(string signature)
    {
        var signer = new MessageSigner("secret-key");
        Assert.False(signer.Verify(B(signature), B("{\"msg_type\":\"x\"}"), B("{}"), B("{}"), B("{\"a\":1}")));
    }

    [Fact]
    public void Verify_RejectsTamperedContent()
    {
        var signer = new MessageSigner("secret-key");
        Assert.False(signer.Verify(B(Expected), B("{\"msg_type\":\"x\"}"), B("{}"), B("{}"), B("{\"a\":2}")));
    }

    [Fact]
    public void EmptyKey_DisablesSigning()
    {
        var signer = new MessageSigner("");
        Assert.False(signer.Enabled);
        Assert.Equal("", signer.Sign(B("a"), B("b"), B("c"), B("d")));
        Assert.True(signer.Verify(B(""), B("a"), B("b"), B("c"), B("d")));
    }

    [Fact]
    public void EncodeThenDecode_RoundTripsAndVerifies()
    {
        var signer = new MessageSigner("k");
        var request = JupyterMessage.Create("execute_request", "session", new JsonObject { ["code"] = "1+1" }, null, [B("client-id")]);
        var frames = request.Encode(signer);
        Assert.Equal("client-id", Encoding.UTF8.GetString(frames[0]));
        Assert.Equal("<IDS|MSG>", Encoding.UTF8.GetString(frames[1]));
        Assert.True(JupyterMessage.TryDecode(frames, signer, out var decoded, out var error), error);
        Assert.Equal("execute_request", decoded!.MsgType);
        Assert.Equal("1+1", decoded.Content["code"]!.GetValue<string>());
        Assert.Equal("client-id", Encoding.UTF8.GetString(Assert.Single(decoded.Identities)));

        var reply = JupyterMessage.Create("execute_reply", "kernel", new JsonObject(), decoded);
        Assert.Equal(decoded.MsgId, reply.ParentHeader["msg_id"]!.GetValue<string>());
        Assert.Equal("5.3", reply.Header["version"]!.GetValue<string>());
    }

    [Fact]
    public void Encode_KeepsHtmlAndNonAsciiReadable_AndSignsTheExactBytes()
    {
        var signer = new MessageSigner("k");
        var msg = JupyterMessage.Create("stream", "s", new JsonObject { ["text"] = "<b>héllo</b> & \"q\"\n" }, null);
        var frames = msg.Encode(signer);
        var content = frames[^1];
        Assert.Equal("{\"text\":\"<b>héllo</b> & \\\"q\\\"\\n\"}", Encoding.UTF8.GetString(content));
        Assert.True(signer.Verify(frames[1], frames[2], frames[3], frames[4], frames[5]));
        Assert.True(JupyterMessage.TryDecode(frames, signer, out var back, out _));
        Assert.Equal("<b>héllo</b> & \"q\"\n", back!.Content["text"]!.GetValue<string>());
    }

    public static TheoryData<string, string[]> Malformed => new()
    {
        { "missing <IDS|MSG> delimiter", ["id", "sig", "{}", "{}", "{}", "{}"] },
        { "expected at least 5 frames after the delimiter, got 3", ["<IDS|MSG>", "", "{}", "{}"] },
        { "bad JSON", ["<IDS|MSG>", "", "{not json", "{}", "{}", "{}"] },
        { "bad JSON: header is not a JSON object", ["<IDS|MSG>", "", "[1]", "{}", "{}", "{}"] },
        { "header has no string msg_type", ["<IDS|MSG>", "", "{\"msg_id\":\"1\"}", "{}", "{}", "{}"] },
        { "bad JSON: content is not a JSON object", ["<IDS|MSG>", "", "{\"msg_type\":\"a\",\"msg_id\":\"1\"}", "{}", "{}", "7"] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Decode_RejectsMalformedFrames_WithoutThrowing(string reason, string[] frames)
    {
        Assert.False(JupyterMessage.TryDecode(frames.Select(B).ToList(), new MessageSigner(""), out var message, out var error));
        Assert.Null(message);
        Assert.StartsWith(reason, error);
    }

    [Fact]
    public void Decode_RejectsUnsignedMessage_WhenKeyIsSet()
    {
        var frames = new[] { "<IDS|MSG>", "", "{\"msg_type\":\"kernel_info_request\",\"msg_id\":\"1\"}", "{}", "{}", "{}" }.Select(B).ToList();
        Assert.False(JupyterMessage.TryDecode(frames, new MessageSigner("key"), out _, out var error));
        Assert.Equal("invalid HMAC signature", error);
    }

    [Fact]
    public void Decode_RandomFrames_NeverThrows()
    {
        var rng = new Random(42);
        var signer = new MessageSigner("");
        for (int i = 0; i < 2000; i++)
        {
            var frames = new List<byte[]>();
            int n = rng.Next(0, 9);
            for (int f = 0; f < n; f++)
            {
                var bytes = new byte[rng.Next(0, 40)];
                rng.NextBytes(bytes);
                frames.Add(rng.Next(4) == 0 ? B("<IDS|MSG>") : rng.Next(3) == 0 ? B("{\"msg_type\":1}") : bytes);
            }
            JupyterMessage.TryDecode(frames, signer, out _, out _);
        }
    }

    [Fact]
    public void ConnectionFile_IsParsed_AndUnsupportedSchemesRejected()
    {
        var info = ConnectionInfo.Parse("""{"shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5,"ip":"127.0.0.1","key":"abc","transport":"tcp","signature_scheme":"hmac-sha256","kernel_name":""}""");
        Assert.Equal("tcp://127.0.0.1:4", info.Endpoint(info.ControlPort));
        Assert.Equal("abc", info.Key);
        var e = Assert.Throws<ArgumentException>(() => ConnectionInfo.Parse("""{"shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5,"key":"k","signature_scheme":"hmac-md5"}"""));
        Assert.Contains("hmac-md5", e.Message);
        var missing = Assert.Throws<ArgumentException>(() => ConnectionInfo.Parse("""{"shell_port":1}"""));
        Assert.Contains("control_port", missing.Message);
    }
}
