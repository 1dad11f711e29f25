using System.Numerics;

namespace NasNotebooks.Dsl;

/// <summary>
/// The shape of a search space as seen by algorithms (PyGlove's <c>pg.DNASpec</c>): a tree of
/// decision points. Algorithms work on <see cref="DnaSpec"/> and <see cref="Dna"/> only, never on
/// the user's objects.
/// </summary>
public abstract class DnaSpec
{
    private protected DnaSpec(string id, KeyPath location)
    {
        Id = id;
        Location = location;
    }

    /// <summary>
    /// Stable id: the path of the decision in the space, with conditional keys such as
    /// <c>a[=1/3].b</c> (candidate 1 of 3 of <c>a</c>, then field <c>b</c>) and <c>[k]</c> for the k-th
    /// choice of a ManyOf.
    /// </summary>
    public string Id { get; }

    /// <summary>Location of this node's value relative to the space that holds it.</summary>
    public KeyPath Location { get; }

    /// <summary>The enclosing spec node (null for the root space).</summary>
    public DnaSpec? Parent { get; internal set; }

    /// <summary>Number of distinct DNAs, or null when infinite or unknown (floats, custom decisions).</summary>
    public abstract BigInteger? SpaceSize { get; }

    /// <summary>The first DNA in enumeration order.</summary>
    /// <exception cref="InvalidOperationException">The space contains a decision that can't be enumerated.</exception>
    public abstract Dna First();

    /// <summary>The DNA after <paramref name="dna"/> in enumeration order (rightmost decision fastest), or null after the last.</summary>
    public abstract Dna? Next(Dna dna);

    /// <summary>A uniformly random DNA (uniform per decision, as PyGlove does).</summary>
    public abstract Dna Random(Random rng);

    /// <summary>Checks that <paramref name="dna"/> is a point of this space.</summary>
    /// <exception cref="DnaValidationException">It is not; the message names the decision.</exception>
    public abstract void Validate(Dna dna);

    /// <summary>True when <paramref name="dna"/> is a point of this space.</summary>
    public bool IsValid(Dna dna)
    {
        try { Validate(dna); return true; }
        catch (DnaValidationException) { return false; }
    }

    /// <summary>Atomic decision points in depth-first order, inactive conditional ones included (a ManyOf contributes one per choice).</summary>
    public abstract IEnumerable<DecisionPoint> DecisionPoints { get; }

    /// <summary>Every DNA in order, from the first (or from the one after <paramref name="after"/>).</summary>
    public IEnumerable<Dna> Enumerate(Dna? after = null)
    {
        if (SpaceSize is null)
        {
            var dp = DecisionPoints.FirstOrDefault(d => d.SpaceSize is null);
            throw new InvalidOperationException($"Cannot enumerate a space with a non-enumerable decision ('{dp?.Id}', {dp?.GetType().Name}).");
        }
        if (after is not null) Validate(after);
        var current = after is null ? First() : Next(after);
        while (current is not null)
        {
            yield return current;
            current = Next(current);
        }
    }

    internal abstract Dna Assemble(Func<DecisionPoint, Dna> decide);

    internal abstract Dna ReadNumbers(IReadOnlyList<double> numbers, ref int position);

    internal abstract void WalkActive(Dna dna, Action<DecisionPoint, Dna> visit);
}

/// <summary>A DNA that is not a point of the space; <see cref="DecisionId"/> names where it goes wrong.</summary>
public sealed class DnaValidationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public DnaValidationException(string decisionId, string message) : base(message) => DecisionId = decisionId;

    /// <summary>Id of the decision at fault.</summary>
    public string DecisionId { get; }
}

/// <summary>
/// A space: the decisions found in one symbolic value (its <see cref="Elements"/>). The root of a
/// <see cref="DnaSpec"/> tree and every conditional candidate are spaces.
/// </summary>
public sealed class SpaceSpec : DnaSpec
{
    private readonly DecisionPoint[] _elements;
    private Dictionary<string, DecisionPoint>? _index;

    internal SpaceSpec(string id, KeyPath location, DecisionPoint[] elements, TemplateNode template, object? source) : base(id, location)
    {
        _elements = elements;
        Template = template;
        Source = source;
        foreach (var e in elements) e.Parent = this;
    }

    /// <summary>The decisions of this space, in the order their values appear in it.</summary>
    public IReadOnlyList<DecisionPoint> Elements => _elements;

    /// <summary>True when the space has no decisions.</summary>
    public bool IsConstant => _elements.Length == 0;

    internal TemplateNode Template { get; }

    /// <summary>The symbolic value this space was built from.</summary>
    public object? Source { get; }

    /// <inheritdoc />
    public override BigInteger? SpaceSize
    {
        get
        {
            BigInteger size = BigInteger.One;
            foreach (var e in _elements)
            {
                var s = e.SpaceSize;
                if (s is null) return null;
                size *= s.Value;
            }
            return size;
        }
    }

    /// <inheritdoc />
    public override IEnumerable<DecisionPoint> DecisionPoints => _elements.SelectMany(e => e.DecisionPoints);

    /// <summary>Every decision node (ManyOf parents and their per-choice points included), depth first.</summary>
    public IEnumerable<DecisionPoint> AllDecisions => _elements.SelectMany(e => e.SelfAndDescendants);

    /// <summary>Finds a decision by id (e.g. <c>a[=0/3].b</c>) or by user name.</summary>
    /// <exception cref="KeyNotFoundException">No decision has that id or name; the message lists the known ones.</exception>
    public DecisionPoint this[string idOrName] => TryFind(idOrName, out var dp) ? dp
        : throw new KeyNotFoundException($"No decision with id or name '{idOrName}'. Known: {string.Join(", ", AllDecisions.Select(d => d.Name is null ? d.Id : $"{d.Id} ({d.Name})"))}.");

    /// <summary>Finds a decision by id or user name.</summary>
    public bool TryFind(string idOrName, out DecisionPoint decision)
    {
        if (_index is null)
        {
            var idx = new Dictionary<string, DecisionPoint>(StringComparer.Ordinal);
            foreach (var d in AllDecisions) idx.TryAdd(d.Id, d);
            foreach (var d in AllDecisions) if (d.DisplayName is { } n) idx.TryAdd(n, d);
            _index = idx;
        }
        return _index.TryGetValue(idOrName, out decision!);
    }

    internal Dna[] Split(Dna dna)
    {
        switch (_elements.Length)
        {
            case 0:
                if (dna.Kind != DnaValueKind.None || dna.ChildArray.Length != 0)
                    throw new DnaValidationException(Id, $"Space '{DisplayId}' has no decisions, but the DNA is '{dna}'.");
                return [];
            case 1:
                return [dna];
            default:
                if (dna.Kind != DnaValueKind.None || dna.ChildArray.Length != _elements.Length)
                    throw new DnaValidationException(Id, $"Space '{DisplayId}' has {_elements.Length} decisions ({string.Join(", ", _elements.Select(e => e.Id))}), but the DNA '{dna}' has {(dna.Kind == DnaValueKind.None ? dna.ChildArray.Length : 1)}.");
                return dna.ChildArray;
        }
    }

    internal Dna Join(Dna[] elements) => _elements.Length switch
    {
        0 => Dna.Empty,
        1 => elements[0],
        _ => Dna.ListOwned(elements),
    };

    internal string DisplayId => Id.Length == 0 ? "<root>" : Id;

    /// <inheritdoc />
    public override Dna First()
    {
        var elems = new Dna[_elements.Length];
        for (int i = 0; i < elems.Length; i++) elems[i] = _elements[i].First();
        return Join(elems);
    }

    /// <inheritdoc />
    public override Dna? Next(Dna dna)
    {
        var elems = (Dna[])Split(dna).Clone();
        for (int i = elems.Length - 1; i >= 0; i--)
        {
            var n = _elements[i].Next(elems[i]);
            if (n is null) continue;
            elems[i] = n;
            for (int j = i + 1; j < elems.Length; j++) elems[j] = _elements[j].First();
            return Join(elems);
        }
        return null;
    }

    /// <inheritdoc />
    public override Dna Random(Random rng)
    {
        switch (_elements.Length)
        {
            case 0: return Dna.Empty;
            case 1: return _elements[0].Random(rng);
            default:
                var elems = new Dna[_elements.Length];
                for (int i = 0; i < elems.Length; i++) elems[i] = _elements[i].Random(rng);
                return Dna.ListOwned(elems);
        }
    }

    /// <inheritdoc />
    public override void Validate(Dna dna)
    {
        var elems = Split(dna);
        for (int i = 0; i < elems.Length; i++) _elements[i].Validate(elems[i]);
    }

    internal override Dna Assemble(Func<DecisionPoint, Dna> decide)
    {
        var elems = new Dna[_elements.Length];
        for (int i = 0; i < elems.Length; i++) elems[i] = _elements[i].Assemble(decide);
        return Join(elems);
    }

    internal override Dna ReadNumbers(IReadOnlyList<double> numbers, ref int position)
    {
        var elems = new Dna[_elements.Length];
        for (int i = 0; i < elems.Length; i++) elems[i] = _elements[i].ReadNumbers(numbers, ref position);
        return Join(elems);
    }

    internal override void WalkActive(Dna dna, Action<DecisionPoint, Dna> visit)
    {
        var elems = Split(dna);
        for (int i = 0; i < elems.Length; i++) _elements[i].WalkActive(elems[i], visit);
    }

    /// <summary>Rebuilds a DNA from <see cref="Dna.ToNumbers"/> output.</summary>
    /// <exception cref="ArgumentException">Too few or too many numbers, or a number that does not fit its decision.</exception>
    public Dna FromNumbers(IEnumerable<double> numbers)
    {
        var list = numbers as IReadOnlyList<double> ?? numbers.ToList();
        int pos = 0;
        var dna = ReadNumbers(list, ref pos);
        if (pos != list.Count)
            throw new ArgumentException($"Too many numbers for this space: it used {pos} of {list.Count} ([{string.Join(", ", list)}]).", nameof(numbers));
        return dna;
    }

    /// <summary>
    /// The active decisions of <paramref name="dna"/> as a dictionary keyed by decision id (or name),
    /// with values as choice index, <c>"j/n"</c> text, or the chosen candidate's literal value.
    /// </summary>
    public IReadOnlyDictionary<string, object?> ToDictionary(Dna dna, DnaKey key = DnaKey.Id, DnaValueForm form = DnaValueForm.Index)
    {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        WalkActive(dna, (dp, d) =>
        {
            if (dp is ChoicesSpec { IsMultiChoice: true }) return;
            string k = key == DnaKey.Name ? dp.DisplayName ?? dp.Id : dp.Id;
            dict[k] = dp.FormatValue(d, form);
        });
        return dict;
    }

    /// <summary>
    /// Builds a DNA from a dictionary keyed by decision id or name. Values may be choice indices,
    /// <c>"j/n"</c> text, candidate literal values, floats or custom strings.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown key, a missing active decision or a value that fits no candidate; the message names it.</exception>
    public Dna FromDictionary(IReadOnlyDictionary<string, object?> values, DnaValueForm form = DnaValueForm.Index)
    {
        foreach (var k in values.Keys)
            if (!TryFind(k, out _))
                throw new ArgumentException($"Unknown decision '{k}' in DNA dictionary. Known: {string.Join(", ", AllDecisions.Where(d => d is not ChoicesSpec { IsMultiChoice: true }).Select(d => d.Id))}.", nameof(values));
        var dna = Assemble(dp =>
        {
            if (!values.TryGetValue(dp.Id, out var v) && (dp.DisplayName is null || !values.TryGetValue(dp.DisplayName, out v)))
                throw new ArgumentException($"DNA dictionary has no value for active decision '{dp.Id}'{(dp.DisplayName is null ? "" : $" (name '{dp.DisplayName}')")}.", nameof(values));
            return dp.ParseValue(v, form);
        });
        Validate(dna);
        return dna;
    }

    /// <summary>The concrete value for <paramref name="dna"/> (PyGlove <c>pg.materialize</c>).</summary>
    /// <exception cref="DnaValidationException">The DNA is not a point of this space.</exception>
    public object? Materialize(Dna dna)
    {
        ArgumentNullException.ThrowIfNull(dna);
        return Template.Build(Split(dna));
    }

    internal object? MaterializeChildren(Dna[] children)
    {
        if (_elements.Length == 0) return Template.Build([]);
        if (_elements.Length == 1) return Template.Build([children.Length == 1 ? children[0] : Dna.ListOwned(children)]);
        return Template.Build(children);
    }

    /// <summary>The DNA of a value of this space (PyGlove's <c>encode</c>); <c>Materialize(Encode(v))</c> equals <c>v</c>.</summary>
    /// <exception cref="ArgumentException">The value is not in the space; the message names the path and decision.</exception>
    public Dna Encode(object? value)
    {
        if (!TryEncode(value, KeyPath.Root, out var dna, out var error))
            throw new ArgumentException($"Cannot encode the value: {error}", nameof(value));
        return dna;
    }

    internal bool TryEncode(object? value, KeyPath valuePath, out Dna dna, out string? error)
    {
        var elems = new Dna[_elements.Length];
        if (!Template.TryEncode(value, valuePath, elems, out error)) { dna = Dna.Empty; return false; }
        dna = Join(elems);
        return true;
    }

    /// <summary>All DNAs, depth-first decision ids and sizes, as text.</summary>
    public override string ToString() =>
        $"SpaceSpec(size={SpaceSize?.ToString() ?? "infinite"}, decisions=[{string.Join(", ", DecisionPoints.Select(d => d.Id))}])";
}

/// <summary>Key form of DNA dictionaries.</summary>
public enum DnaKey
{
    /// <summary>Decision id, e.g. <c>a[=0/3].b</c>.</summary>
    Id,
    /// <summary>User name when set (id otherwise).</summary>
    Name,
}

/// <summary>Value form of DNA dictionaries.</summary>
public enum DnaValueForm
{
    /// <summary>Choice index, float, or custom string.</summary>
    Index,
    /// <summary><c>"j/n"</c> for choices.</summary>
    ChoiceAndTotal,
    /// <summary>The chosen candidate's value (formatted text for structured candidates).</summary>
    Literal,
}
