using System.Globalization;
using System.Text;

namespace NasNotebooks.Dsl;

/// <summary>Parser of the DNA literal form: <c>[(0,1),2,(3,[4,0.5])]</c>, <c>'custom'</c>.</summary>
internal ref struct DnaLiteral
{
    private readonly ReadOnlySpan<char> _text;
    private int _pos;
    private readonly string _source;

    private DnaLiteral(string text) { _source = text; _text = text.AsSpan(); _pos = 0; }

    public static Dna Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new DnaLiteral(text);
        p.SkipWs();
        if (p._pos == p._text.Length) throw new FormatException("A DNA literal must not be empty; use [] for the empty DNA.");
        var d = p.ParseItem();
        p.SkipWs();
        if (p._pos != p._text.Length) throw p.Error("unexpected text after the DNA");
        return d;
    }

    private FormatException Error(string what) => new($"Invalid DNA literal '{_source}': {what} at position {_pos}.");

    private void SkipWs() { while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++; }

    private bool TryEat(char c)
    {
        SkipWs();
        if (_pos < _text.Length && _text[_pos] == c) { _pos++; return true; }
        return false;
    }

    private void Expect(char c)
    {
        if (!TryEat(c)) throw Error($"expected '{c}'");
    }

    private Dna ParseItem()
    {
        SkipWs();
        if (_pos >= _text.Length) throw Error("unexpected end");
        char c = _text[_pos];
        if (c == '[')
        {
            _pos++;
            var items = new List<Dna>();
            if (!TryEat(']'))
            {
                do { items.Add(ParseItem()); } while (TryEat(','));
                Expect(']');
            }
            return Dna.List(items);
        }
        if (c == '(')
        {
            _pos++;
            var items = new List<Dna>();
            do { items.Add(ParseItem()); } while (TryEat(','));
            Expect(')');
            if (items.Count == 1) return items[0];
            var tail = items[^1];
            for (int i = items.Count - 2; i >= 0; i--)
            {
                if (items[i].Kind != DnaValueKind.Int || items[i].Children.Count > 0)
                    throw Error($"in a tuple every item but the last must be a choice index, got '{items[i]}'");
                tail = new Dna(items[i].Index, tail);
            }
            return tail;
        }
        if (c == '\'' || c == '"') return new Dna(ParseString(c));
        if (_text[_pos..].StartsWith("None")) { _pos += 4; return Dna.Empty; }
        return ParseNumber();
    }

    private string ParseString(char quote)
    {
        _pos++;
        var sb = new StringBuilder();
        while (_pos < _text.Length && _text[_pos] != quote)
        {
            if (_text[_pos] == '\\' && _pos + 1 < _text.Length) _pos++;
            sb.Append(_text[_pos++]);
        }
        if (_pos >= _text.Length) throw Error("unterminated string");
        _pos++;
        return sb.ToString();
    }

    private Dna ParseNumber()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '-' or '+' or '.' or 'e' or 'E' or 'I' or 'n' or 'f' or 'i' or 't' or 'y' or 'N' or 'a'))
            _pos++;
        var token = _text[start.._pos];
        if (token.Length == 0) throw Error($"unexpected character '{_text[start]}'");
        bool isFloat = token.ContainsAny(".eE") || token.Contains("Infinity", StringComparison.Ordinal) || token.SequenceEqual("NaN");
        if (!isFloat)
        {
            if (int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= 0) return Dna.Leaf(i);
            _pos = start;
            throw Error($"'{token}' is not a valid choice index");
        }
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return new Dna(d);
        _pos = start;
        throw Error($"'{token}' is not a number");
    }
}
