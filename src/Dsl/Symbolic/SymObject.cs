namespace NasNotebooks.Dsl;

/// <summary>
/// A symbolic object: a type key (and, when known, the CLR type it stands for) with named fields.
/// When a space is materialized, a <see cref="SymObject"/> whose fields are all concrete becomes an
/// instance of its CLR type (constructor parameters and settable properties are matched by name).
/// </summary>
/// <example><code>var conv = new SymObject(typeof(Conv)) { ["kernel"] = Hyper.OneOf(3, 5, 7) };</code></example>
public sealed class SymObject : Symbolic
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    /// <summary>The type key used in formatting and JSON (<c>_type</c>).</summary>
    public string TypeKey { get; }

    /// <summary>The CLR type this object materializes to, or <c>null</c> for a purely symbolic object.</summary>
    public Type? ClrType { get; }

    /// <summary>A symbolic object standing for CLR type <paramref name="clrType"/> (registered on first use).</summary>
    public SymObject(Type clrType)
    {
        ClrType = clrType ?? throw new ArgumentNullException(nameof(clrType));
        TypeKey = SymbolicTypes.KeyOf(clrType);
    }

    /// <summary>A symbolic object with a type key; the CLR type is looked up in <see cref="SymbolicTypes"/>.</summary>
    public SymObject(string typeKey)
    {
        TypeKey = typeKey ?? throw new ArgumentNullException(nameof(typeKey));
        ClrType = SymbolicTypes.TryResolve(typeKey, out var t) ? t : null;
    }

    /// <summary>Creates a symbolic object of type <typeparamref name="T"/> with fields taken from an anonymous object.</summary>
    /// <example><code>SymObject.Of&lt;Conv&gt;(new { Kernel = Hyper.OneOf(3, 5) })</code></example>
    public static SymObject Of<T>(object? fields = null)
    {
        var o = new SymObject(typeof(T));
        if (fields is not null)
            foreach (var p in fields.GetType().GetProperties())
                o[p.Name] = p.GetValue(fields);
        return o;
    }

    /// <summary>Field names in order.</summary>
    public IReadOnlyList<string> FieldNames => _order;

    /// <summary>Reads or writes a field; writes are validated against the CLR type when known.</summary>
    public object? this[string field]
    {
        get => _values.TryGetValue(field, out var v) ? v : throw new KeyNotFoundException($"{TypeKey} has no field '{field}' (fields: {string.Join(", ", _order)}).");
        set => SetField(new PathKey(field), value);
    }

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<PathKey, object?>> Fields
    {
        get { foreach (var k in _order) yield return new(new PathKey(k), _values[k]); }
    }

    /// <inheritdoc />
    public override bool TryGetField(PathKey key, out object? value)
    {
        if (!key.IsIndex && _values.TryGetValue(key.Key!, out value)) return true;
        value = null;
        return false;
    }

    /// <inheritdoc />
    protected internal override void SetField(PathKey key, object? value)
    {
        if (key.IsIndex) throw new ArgumentException($"{TypeKey} has no index [{key.Index}]; use a field name.");
        var name = key.Key!;
        if (ClrType is not null)
        {
            var member = ClrBinding.Schema(ClrType).Find(name)
                ?? throw new ArgumentException($"{ClrType.Name} has no field '{name}' (fields: {string.Join(", ", ClrBinding.Schema(ClrType).Members.Select(m => m.Name))}).");
            if (!ClrBinding.CanHold(member.Type, value))
                throw new ArgumentException($"field '{name}' of {ClrType.Name} is {ClrBinding.TypeName(member.Type)}; {SymbolicValues.Describe(value)} does not fit.");
            name = member.Name;
        }
        if (!_values.ContainsKey(name)) _order.Add(name);
        _values[name] = value;
    }

    /// <summary>Removes a field.</summary>
    public bool Remove(string field) => _values.Remove(field) && _order.Remove(field);

    /// <inheritdoc />
    public override Symbolic Clone()
    {
        var o = ClrType is not null ? new SymObject(ClrType) : new SymObject(TypeKey);
        foreach (var k in _order) { o._order.Add(k); o._values[k] = SymbolicValues.Clone(_values[k]); }
        return o;
    }

    /// <summary>Builds the CLR object this symbolic object stands for; every field must be concrete.</summary>
    /// <exception cref="InvalidOperationException">No CLR type is known, or a field is still a hyper value.</exception>
    public object ToClr()
    {
        if (ClrType is null) throw new InvalidOperationException($"Symbolic object '{TypeKey}' has no registered CLR type; register one with SymbolicTypes.Register.");
        if (ContainsHyper) throw new InvalidOperationException($"{TypeKey} still holds hyper values; materialize it first.");
        return ClrBinding.Construct(ClrType, this);
    }

    /// <summary>The symbolic form of a CLR object (its public properties become fields).</summary>
    public static SymObject FromClr(object value) => ClrBinding.ToSymbolic(value);
}
