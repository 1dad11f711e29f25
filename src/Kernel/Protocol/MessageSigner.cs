using System.Security.Cryptography;

namespace NasNotebooks.Kernel;

/// <summary>HMAC-SHA256 signing and constant-time verification of Jupyter messages.</summary>
internal sealed class MessageSigner
{
    private readonly byte[] _key;

    public MessageSigner(string key)
    {
        _key = System.Text.Encoding.UTF8.GetBytes(key);
    }

    /// <summary>True when the connection file supplied a key (an empty key disables signing).</summary>
    public bool Enabled => _key.Length > 0;

    /// <summary>Hex HMAC over header, parent header, metadata and content (in that order).</summary>
    public string Sign(ReadOnlySpan<byte> header, ReadOnlySpan<byte> parent, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> content)
    {
        if (!Enabled)
        {
            return "";
        }
        Span<byte> mac = stackalloc byte[32];
        ComputeMac(header, parent, metadata, content, mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>Checks a hex signature in constant time; any malformed signature is rejected.</summary>
    public bool Verify(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> header, ReadOnlySpan<byte> parent, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> content)
    {
        if (!Enabled)
        {
            return true;
        }
        if (signature.Length != 64)
        {
            return false;
        }
        Span<byte> given = stackalloc byte[32];
        for (int i = 0; i < 32; i++)
        {
            int hi = HexValue(signature[2 * i]);
            int lo = HexValue(signature[2 * i + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }
            given[i] = (byte)((hi << 4) | lo);
        }
        Span<byte> expected = stackalloc byte[32];
        ComputeMac(header, parent, metadata, content, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private void ComputeMac(ReadOnlySpan<byte> header, ReadOnlySpan<byte> parent, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> content, Span<byte> mac)
    {
        using var h = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        h.AppendData(header);
        h.AppendData(parent);
        h.AppendData(metadata);
        h.AppendData(content);
        h.GetHashAndReset(mac);
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
