using System.Globalization;
using System.Numerics;

namespace NasNotebooks.Dsl;

/// <summary>
/// A categorical decision (PyGlove <c>geno.Choices</c>): choose <see cref="NumChoices"/> of
/// <see cref="CandidateCount"/> candidates, optionally distinct and/or sorted. A choice of one
/// candidate has a DNA <c>(j, sub-DNA)</c>; a choice of several is a list of such DNAs, one per
/// <see cref="Subchoices"/> entry. Candidates that hold hyper values are conditional sub-spaces.
/// </summary>
public sealed class ChoicesSpec : DecisionPoint
{
    private readonly object?[]? _constants;
    private readonly SpaceSpec?[]? _subspaces;
    private readonly IntHyper? _int;
    private readonly ChoicesSpec[] _subchoices = [];
    private readonly Func<int, string>? _candidateId;
    private IReadOnlyList<SpaceSpec>? _candidateList;

    /// <summary>A single choice (a OneOf, an Int, or the k-th choice of a ManyOf).</summary>
    internal ChoicesSpec(string id, KeyPath location, HyperValue hyper, string? name, int subchoiceIndex,
        object?[]? constants, SpaceSpec?[]? subspaces, IntHyper? intHyper, Func<int, string> candidateId)
        : base(id, location, hyper, name)
    {
        NumChoices = 1;
        SubchoiceIndex = subchoiceIndex;
        _constants = constants;
        _subspaces = subspaces;
        _int = intHyper;
        _candidateId = candidateId;
        CandidateCount = intHyper?.Count ?? constants!.Length;
        if (subspaces is not null) foreach (var s in subspaces) if (s is not null) s.Parent = this;
    }

    /// <summary>A multiple choice (ManyOf/Permutation) made of per-choice points.</summary>
    internal ChoicesSpec(string id, KeyPath location, ManyOf hyper, ChoicesSpec[] subchoices)
        : base(id, location, hyper, hyper.Name)
    {
        NumChoices = hyper.K;
        Distinct = hyper.Distinct;
        Sorted = hyper.Sorted;
        SubchoiceIndex = -1;
        _subchoices = subchoices;
        CandidateCount = subchoices[0].CandidateCount;
        foreach (var s in subchoices) s.Parent = this;
    }

    /// <summary>Number of values chosen.</summary>
    public int NumChoices { get; }

    /// <summary>True for a ManyOf/Permutation (its DNA is a list of <see cref="NumChoices"/> choices).</summary>
    public bool IsMultiChoice => _subchoices.Length > 0;

    /// <summary>Whether the chosen candidates must differ.</summary>
    public bool Distinct { get; }

    /// <summary>Whether chosen indices must ascend.</summary>
    public bool Sorted { get; }

    /// <summary>Number of candidates.</summary>
    public int CandidateCount { get; }

    /// <summary>True for integer ranges: candidate order is meaningful (neighbours are close).</summary>
    public bool IsOrdinal => (_int ?? (_subchoices.Length > 0 ? _subchoices[0]._int : null)) is not null;

    /// <summary>For the k-th choice of a ManyOf, k; otherwise -1.</summary>
    public int SubchoiceIndex { get; }

    /// <summary>The per-choice points of a ManyOf (empty for a single choice).</summary>
    public IReadOnlyList<ChoicesSpec> Subchoices => _subchoices;

    private ChoicesSpec Single => _subchoices.Length > 0 ? _subchoices[0] : this;

    /// <summary>The candidate sub-spaces (a constant candidate is a space with no decisions).</summary>
    public IReadOnlyList<SpaceSpec> Candidates => _candidateList ??= Single.BuildCandidateList();

    private IReadOnlyList<SpaceSpec> BuildCandidateList() =>
        Enumerable.Range(0, CandidateCount).Select(j => _subspaces?[j] ?? DnaSpecBuilder.ConstantSpace(_candidateId!(j), CandidateValue(j), this)).ToList();

    /// <summary>True when candidate <paramref name="j"/> holds decisions of its own.</summary>
    public bool IsConditional(int j) => Single._subspaces?[j] is not null;

    /// <summary>The candidate's value as written in the space (a template when it is conditional).</summary>
    public object? CandidateValue(int j)
    {
        var s = Single;
        if ((uint)j >= (uint)CandidateCount) throw new ArgumentOutOfRangeException(nameof(j), $"Decision '{Id}' has {CandidateCount} candidates; {j} is out of range.");
        if (s._int is not null) return s._int.Min + j * s._int.Step;
        return s._subspaces?[j]?.Source ?? s._constants![j];
    }

    /// <summary>Candidate values for display: constants as they are (formatted text for structured ones), conditional candidates as <c>"j/n"</c>.</summary>
    public IReadOnlyList<object?> LiteralValues => Enumerable.Range(0, CandidateCount).Select(Literal).ToList();

    // Conditional candidates (sub-spaces) are shown by position: their template would be unreadable.
    private object? Literal(int j)
    {
        if (IsConditional(j)) return $"{j}/{CandidateCount}";
        var v = CandidateValue(j);
        return v is null or string or bool || SymbolicValues.IsNumber(v) ? v : SymbolicValues.Format(v, true);
    }

    internal override IEnumerable<DecisionPoint> SelfAndDescendants
    {
        get
        {
            yield return this;
            if (IsMultiChoice) { foreach (var s in _subchoices) foreach (var d in s.SelfAndDescendants) yield return d; yield break; }
            if (_subspaces is null) yield break;
            foreach (var sp in _subspaces)
                if (sp is not null) foreach (var d in sp.AllDecisions) yield return d;
        }
    }

    /// <inheritdoc />
    public override IEnumerable<DecisionPoint> DecisionPoints
    {
        get
        {
            if (IsMultiChoice) { foreach (var s in _subchoices) foreach (var d in s.DecisionPoints) yield return d; yield break; }
            yield return this;
            if (_subspaces is null) yield break;
            foreach (var sp in _subspaces)
                if (sp is not null) foreach (var d in sp.DecisionPoints) yield return d;
        }
    }

    private BigInteger? CandidateSize(int j) => Single._subspaces?[j] is { } sp ? sp.SpaceSize : BigInteger.One;

    /// <inheritdoc />
    public override BigInteger? SpaceSize
    {
        get
        {
            int n = CandidateCount, k = NumChoices;
            if (!IsMultiChoice)
            {
                if (_subspaces is null) return n;
                BigInteger total = 0;
                for (int j = 0; j < n; j++) { var s = CandidateSize(j); if (s is null) return null; total += s.Value; }
                return total;
            }
            var sizes = new BigInteger[n];
            for (int j = 0; j < n; j++) { var s = CandidateSize(j); if (s is null) return null; sizes[j] = s.Value; }
            if (!Distinct && !Sorted) return BigInteger.Pow(sizes.Aggregate(BigInteger.Zero, (a, b) => a + b), k);
            // e[i]: elementary (distinct) or complete homogeneous (repeats allowed) symmetric polynomial of degree i.
            var e = new BigInteger[k + 1];
            e[0] = 1;
            foreach (var s in sizes)
            {
                if (Distinct) for (int i = k; i >= 1; i--) e[i] += e[i - 1] * s;
                else for (int i = 1; i <= k; i++) e[i] += e[i - 1] * s;
            }
            if (Sorted) return e[k];
            BigInteger fact = 1;
            for (int i = 2; i <= k; i++) fact *= i;
            return e[k] * fact;
        }
    }

    private Dna[] MultiChildren(Dna dna)
    {
        if (NumChoices == 1) return [dna];
        if (dna.Kind != DnaValueKind.None || dna.ChildArray.Length != NumChoices)
            throw Invalid($"expects a list of {NumChoices} choices, got '{dna}'.");
        return dna.ChildArray;
    }

    private Dna JoinMulti(Dna[] children) => NumChoices == 1 ? children[0] : Dna.ListOwned(children);

    private static Dna SubDna(Dna[] children) => children.Length switch { 0 => Dna.Empty, 1 => children[0], _ => Dna.ListOwned(children) };

    private Dna ChoiceDna(int j, Dna? sub) => sub is null ? Dna.Leaf(j) : Dna.Choice(j, sub);

    /// <inheritdoc />
    public override Dna First()
    {
        if (!IsMultiChoice) return ChoiceDna(0, _subspaces?[0]?.First());
        var idx = new int[NumChoices];
        var subs = new Dna[NumChoices];
        if (!FillAfter(-1, idx, subs)) throw new InvalidOperationException($"Decision '{Id}' has no valid DNA.");
        return Compose(idx, subs);
    }

    /// <inheritdoc />
    public override Dna? Next(Dna dna)
    {
        if (!IsMultiChoice)
        {
            int j = dna.Index;
            var sp = _subspaces?[j];
            if (sp is not null && sp.Next(SubDna(dna.ChildArray)) is { } ns) return Dna.Choice(j, ns);
            return j + 1 < CandidateCount ? ChoiceDna(j + 1, _subspaces?[j + 1]?.First()) : null;
        }
        var children = MultiChildren(dna);
        var idx = children.Select(c => c.Index).ToArray();
        var subs = children.Select(c => SubDna(c.ChildArray)).ToArray();
        for (int pos = NumChoices - 1; pos >= 0; pos--)
        {
            var space = _subchoices[pos]._subspaces?[idx[pos]];
            if (space is not null && space.Next(subs[pos]) is { } ns)
            {
                subs[pos] = ns;
                if (FillAfter(pos, idx, subs)) return Compose(idx, subs);
            }
            for (int j = idx[pos] + 1; j < CandidateCount; j++)
            {
                if (!Allowed(j, pos, idx)) continue;
                idx[pos] = j;
                subs[pos] = _subchoices[pos]._subspaces?[j]?.First() ?? Dna.Empty;
                if (FillAfter(pos, idx, subs)) return Compose(idx, subs);
                if (Sorted) break;
            }
        }
        return null;
    }

    private bool Allowed(int j, int pos, int[] idx)
    {
        if (pos > 0 && Sorted && (Distinct ? j <= idx[pos - 1] : j < idx[pos - 1])) return false;
        if (Distinct) for (int q = 0; q < pos; q++) if (idx[q] == j) return false;
        return true;
    }

    private bool FillAfter(int pos, int[] idx, Dna[] subs)
    {
        for (int q = pos + 1; q < NumChoices; q++)
        {
            int j = 0;
            while (j < CandidateCount && !Allowed(j, q, idx)) j++;
            if (j == CandidateCount) return false;
            idx[q] = j;
            subs[q] = _subchoices[q]._subspaces?[j]?.First() ?? Dna.Empty;
        }
        return true;
    }

    private Dna Compose(int[] idx, Dna[] subs)
    {
        var children = new Dna[NumChoices];
        for (int q = 0; q < NumChoices; q++) children[q] = Dna.Choice(idx[q], subs[q]);
        return JoinMulti(children);
    }

    /// <inheritdoc />
    public override Dna Random(Random rng)
    {
        if (!IsMultiChoice)
        {
            int j = rng.Next(CandidateCount);
            var sp = _subspaces?[j];
            return sp is null ? Dna.Leaf(j) : Dna.Choice(j, sp.Random(rng));
        }
        int n = CandidateCount, k = NumChoices;
        var idx = new int[k];
        if (Distinct)
        {
            var pool = new int[n];
            for (int i = 0; i < n; i++) pool[i] = i;
            for (int i = 0; i < k; i++)
            {
                int r = i + rng.Next(n - i);
                (pool[i], pool[r]) = (pool[r], pool[i]);
                idx[i] = pool[i];
            }
        }
        else for (int i = 0; i < k; i++) idx[i] = rng.Next(n);
        if (Sorted) Array.Sort(idx);
        var children = new Dna[k];
        for (int q = 0; q < k; q++)
        {
            var sp = _subchoices[q]._subspaces?[idx[q]];
            children[q] = sp is null ? Dna.Leaf(idx[q]) : Dna.Choice(idx[q], sp.Random(rng));
        }
        return JoinMulti(children);
    }

    /// <inheritdoc />
    public override void Validate(Dna dna)
    {
        ArgumentNullException.ThrowIfNull(dna);
        if (!IsMultiChoice) { ValidateSingle(dna); return; }
        var children = MultiChildren(dna);
        for (int q = 0; q < children.Length; q++) _subchoices[q].ValidateSingle(children[q]);
        CheckConstraints(children.Select(c => c.Index).ToArray());
    }

    private void CheckConstraints(int[] idx)
    {
        for (int q = 1; q < idx.Length; q++)
        {
            if (Sorted && (Distinct ? idx[q] <= idx[q - 1] : idx[q] < idx[q - 1]))
                throw Invalid($"choices must be sorted{(Distinct ? " and distinct" : "")}, got indices [{string.Join(",", idx)}].");
            if (Distinct) for (int p = 0; p < q; p++) if (idx[p] == idx[q])
                throw Invalid($"choices must be distinct, got indices [{string.Join(",", idx)}].");
        }
    }

    private void ValidateSingle(Dna dna)
    {
        if (dna.Kind != DnaValueKind.Int) throw Invalid($"expects a choice index, got '{dna}'.");
        int j = dna.Index;
        if (j >= CandidateCount) throw Invalid($"choice {j} is out of range: there are {CandidateCount} candidates.");
        var sp = _subspaces?[j];
        if (sp is null)
        {
            if (dna.ChildArray.Length != 0) throw Invalid($"candidate {j} has no decisions, but the DNA has children '{dna}'.");
            return;
        }
        sp.Validate(SubDna(dna.ChildArray));
    }

    internal override Dna Assemble(Func<DecisionPoint, Dna> decide)
    {
        if (IsMultiChoice)
        {
            var children = new Dna[NumChoices];
            for (int q = 0; q < NumChoices; q++) children[q] = _subchoices[q].Assemble(decide);
            return JoinMulti(children);
        }
        var leaf = decide(this);
        if (leaf.Kind != DnaValueKind.Int) throw Invalid($"expects a choice index, got '{leaf}'.");
        if (leaf.Index >= CandidateCount) throw Invalid($"choice {leaf.Index} is out of range: there are {CandidateCount} candidates.");
        var sp = _subspaces?[leaf.Index];
        return sp is null ? Dna.Leaf(leaf.Index) : Dna.Choice(leaf.Index, sp.Assemble(decide));
    }

    internal override Dna ReadNumbers(IReadOnlyList<double> numbers, ref int position)
    {
        if (IsMultiChoice)
        {
            var children = new Dna[NumChoices];
            for (int q = 0; q < NumChoices; q++) children[q] = _subchoices[q].ReadNumbers(numbers, ref position);
            CheckConstraints(children.Select(c => c.Index).ToArray());
            return JoinMulti(children);
        }
        if (position >= numbers.Count) throw new ArgumentException($"Too few numbers: decision '{Id}' has none (only {numbers.Count} given).");
        double x = numbers[position++];
        if (x != Math.Floor(x) || x < 0 || x >= CandidateCount)
            throw new ArgumentException($"Decision '{Id}' expects a choice index in [0, {CandidateCount}), got {x}.");
        int j = (int)x;
        var sp = _subspaces?[j];
        return sp is null ? Dna.Leaf(j) : Dna.Choice(j, sp.ReadNumbers(numbers, ref position));
    }

    internal override void WalkActive(Dna dna, Action<DecisionPoint, Dna> visit)
    {
        if (IsMultiChoice)
        {
            visit(this, dna);
            var children = MultiChildren(dna);
            for (int q = 0; q < children.Length; q++) _subchoices[q].WalkActive(children[q], visit);
            return;
        }
        visit(this, dna);
        _subspaces?[dna.Index]?.WalkActive(SubDna(dna.ChildArray), visit);
    }

    internal override object? MaterializeValue(Dna dna)
    {
        if (IsMultiChoice)
        {
            var children = MultiChildren(dna);
            var items = new List<object?>(children.Length);
            for (int q = 0; q < children.Length; q++) items.Add(_subchoices[q].MaterializeValue(children[q]));
            return new SymList(items, adopt: true);
        }
        if (dna.Kind != DnaValueKind.Int) throw Invalid($"expects a choice index, got '{dna}'.");
        int j = dna.Index;
        if (j >= CandidateCount) throw Invalid($"choice {j} is out of range: there are {CandidateCount} candidates.");
        if (_int is not null) return _int.Min + j * _int.Step;
        var sp = _subspaces?[j];
        if (sp is null) return SymbolicValues.Clone(_constants![j]);
        return sp.MaterializeChildren(dna.ChildArray);
    }

    internal override bool TryEncodeValue(object? value, KeyPath valuePath, out Dna dna, out string? error)
    {
        if (IsMultiChoice) return TryEncodeMulti(value, valuePath, out dna, out error);
        if (TryEncodeSingle(value, valuePath, null, out dna, out error)) return true;
        return false;
    }

    private bool TryEncodeSingle(object? value, KeyPath valuePath, HashSet<int>? exclude, out Dna dna, out string? error)
    {
        dna = Dna.Empty;
        if (_int is not null)
        {
            if (SymbolicValues.IsNumber(value) && SymbolicValues.IsIntegral(value))
            {
                long v = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                long off = v - _int.Min;
                if (off >= 0 && off % _int.Step == 0 && off / _int.Step < CandidateCount && (exclude is null || !exclude.Contains((int)(off / _int.Step))))
                { dna = Dna.Leaf((int)(off / _int.Step)); error = null; return true; }
            }
            error = $"'{valuePath}' (decision '{Id}') expects an integer in {_int.Min}..{_int.Max}{(_int.Step == 1 ? "" : $" step {_int.Step}")}, got {SymbolicValues.Describe(value)}.";
            return false;
        }
        string? inner = null;
        for (int j = 0; j < CandidateCount; j++)
        {
            if (exclude is not null && exclude.Contains(j)) continue;
            var sp = _subspaces?[j];
            if (sp is null)
            {
                if (SymbolicValues.AreEqual(_constants![j], value)) { dna = Dna.Leaf(j); error = null; return true; }
            }
            else if (sp.TryEncode(value, valuePath, out var sub, out var e)) { dna = Dna.Choice(j, sub); error = null; return true; }
            else inner ??= e;
        }
        error = $"'{(valuePath.IsRoot ? "<root>" : valuePath)}' (decision '{Id}'): {SymbolicValues.Describe(value)} matches none of the {CandidateCount} candidates"
            + (inner is null ? "." : $" (closest failure: {inner})");
        return false;
    }

    private bool TryEncodeMulti(object? value, KeyPath valuePath, out Dna dna, out string? error)
    {
        dna = Dna.Empty;
        if (value is not System.Collections.IList list || value is string || list.Count != NumChoices)
        {
            error = $"'{valuePath}' (decision '{Id}') expects a list of {NumChoices} values, got {SymbolicValues.Describe(value)}.";
            return false;
        }
        // Candidates may overlap, so a greedy match can strand a later item: search with backtracking
        // (first solution in candidate order, which is what a greedy match finds when it works).
        var children = new Dna[NumChoices];
        var used = new HashSet<int>();
        string? firstError = null;
        bool Assign(int q)
        {
            if (q == NumChoices) return true;
            var exclude = Distinct ? new HashSet<int>(used) : new HashSet<int>();
            while (true)
            {
                if (!_subchoices[q].TryEncodeSingle(list[q], valuePath.Append(q), exclude, out var d, out var e))
                {
                    firstError ??= e;
                    return false;
                }
                int j = d.Index;
                bool orderOk = !Sorted || q == 0 || (Distinct ? j > children[q - 1].Index : j >= children[q - 1].Index);
                if (orderOk)
                {
                    children[q] = d;
                    if (Distinct) used.Add(j);
                    if (Assign(q + 1)) return true;
                    if (Distinct) used.Remove(j);
                }
                exclude.Add(j);
            }
        }
        if (!Assign(0))
        {
            error = firstError ?? $"'{valuePath}' (decision '{Id}'): the values can't be matched to {(Distinct ? "distinct " : "")}{(Sorted ? "sorted " : "")}candidates.";
            return false;
        }
        dna = JoinMulti(children);
        error = null;
        return true;
    }

    internal override object? FormatValue(Dna dna, DnaValueForm form) => form switch
    {
        DnaValueForm.ChoiceAndTotal => $"{dna.Index}/{CandidateCount}",
        DnaValueForm.Literal => Literal(dna.Index),
        _ => dna.Index,
    };

    internal override Dna ParseValue(object? value, DnaValueForm form)
    {
        if (value is Dna d) return d;
        if (form == DnaValueForm.Literal)
            for (int j = 0; j < CandidateCount; j++)
                if (SymbolicValues.AreEqual(CandidateValue(j), value) || value is string t0 && Literal(j) is string l0 && l0 == t0) return Dna.Leaf(j);
        if (value is string s)
        {
            int slash = s.IndexOf('/');
            if (slash > 0 && int.TryParse(s.AsSpan(0, slash), out int j) && int.TryParse(s.AsSpan(slash + 1), out int n))
            {
                if (n != CandidateCount) throw new ArgumentException($"Decision '{Id}' has {CandidateCount} candidates, but the value says '{s}'.");
                return Dna.Leaf(j);
            }
        }
        if (SymbolicValues.IsNumber(value) && SymbolicValues.IsIntegral(value) && form != DnaValueForm.Literal)
        {
            long j = Convert.ToInt64(value, CultureInfo.InvariantCulture);
            if (j >= 0 && j < CandidateCount) return Dna.Leaf((int)j);
        }
        for (int j = 0; j < CandidateCount; j++)
            if (SymbolicValues.AreEqual(CandidateValue(j), value) || value is string t && Literal(j) is string lit && lit == t) return Dna.Leaf(j);
        throw new ArgumentException($"Decision '{Id}': {SymbolicValues.Describe(value)} is neither a choice index, a 'j/{CandidateCount}' text nor one of the candidates ({string.Join(", ", LiteralValues.Select(v => SymbolicValues.Format(v)))}).");
    }
}
