using System.Linq.Expressions;
using System.Reflection;

namespace NasNotebooks.Dsl;

/// <summary>
/// Entry points of the DSL: build spaces fluently, get their <see cref="SpaceSpec"/>, materialize a
/// DNA into a concrete value and encode a value back into its DNA.
/// </summary>
/// <example><code>
/// var space = Space.Dict()
///     .Float("lr", 1e-4, 1e-1, Scale.Log)
///     .Repeat("stages", 3, stage => stage
///         .OneOf("depth", 1, 2, 3)
///         .OneOf("kernel", 3, 5, 7))
///     .Build();
/// var spec = Space.Spec(space);
/// var net = spec.Materialize(spec.Random(new Random(1)));
/// </code></example>
public static class Space
{
    /// <summary>The DNA spec of a space. Pass <paramref name="where"/> to decide only some hyper values (the rest stay symbolic).</summary>
    /// <exception cref="ArgumentException">The space is ill-defined (e.g. duplicate decision names); the message names the decisions.</exception>
    public static SpaceSpec Spec(object? space, Func<HyperValue, bool>? where = null) => DnaSpecBuilder.Build(space, where);

    /// <summary>The concrete value of <paramref name="space"/> at <paramref name="dna"/> (PyGlove <c>pg.materialize</c>).</summary>
    public static object? Materialize(object? space, Dna dna, Func<HyperValue, bool>? where = null) => Spec(space, where).Materialize(dna);

    /// <summary>Materializes and casts to <typeparamref name="T"/>.</summary>
    public static T Materialize<T>(object? space, Dna dna, Func<HyperValue, bool>? where = null) => (T)Materialize(space, dna, where)!;

    /// <summary>The DNA of <paramref name="value"/> in <paramref name="space"/>.</summary>
    /// <exception cref="ArgumentException">No point of the space has this value; the message names the path.</exception>
    public static Dna Encode(object? space, object? value) => Spec(space).Encode(value);

    /// <summary>Starts a dictionary space.</summary>
    public static DictBuilder Dict() => new();

    /// <summary>Starts a typed object space for <typeparamref name="T"/>.</summary>
    public static ObjectBuilder<T> Object<T>() => new();

    /// <summary>A list space.</summary>
    public static SymList List(params object?[] items) => new(items);

    /// <summary>A list of <paramref name="count"/> items made by <paramref name="item"/>.</summary>
    public static SymList Repeat(int count, Func<int, object?> item) => new(Enumerable.Range(0, count).Select(item));
}

/// <summary>Fluent builder of a <see cref="SymDict"/> space.</summary>
public sealed class DictBuilder
{
    private readonly SymDict _dict = new();

    /// <summary>Adds a fixed value, a hyper value or a nested space.</summary>
    public DictBuilder Add(string key, object? value)
    {
        if (_dict.ContainsKey(key)) throw new ArgumentException($"Key '{key}' is defined twice in this space.", nameof(key));
        _dict[key] = value switch { DictBuilder b => b.Build(), _ => value };
        return this;
    }

    /// <summary>Adds a choice of one candidate (candidates as arguments, or one collection holding them).</summary>
    public DictBuilder OneOf(string key, params object?[] candidates) => Add(key, new OneOf(Hyper.Expand(candidates)));

    /// <summary>Adds a choice of k candidates.</summary>
    public DictBuilder ManyOf<T>(string key, int k, IEnumerable<T> candidates, bool distinct = true, bool sorted = false, string? name = null) =>
        Add(key, new ManyOf(k, candidates.Cast<object?>(), distinct, sorted, name));

    /// <summary>Adds a permutation of the candidates.</summary>
    public DictBuilder Permutation<T>(string key, IEnumerable<T> candidates, string? name = null) => Add(key, new Permutation(candidates.Cast<object?>(), name));

    /// <summary>Adds a float decision.</summary>
    public DictBuilder Float(string key, double min, double max, Scale scale = Scale.Linear, string? name = null) => Add(key, new FloatHyper(min, max, scale, name));

    /// <summary>Adds an integer decision.</summary>
    public DictBuilder Int(string key, int min, int max, int step = 1, string? name = null) => Add(key, new IntHyper(min, max, step, name));

    /// <summary>Adds a nested dictionary space.</summary>
    public DictBuilder Nested(string key, Func<DictBuilder, DictBuilder> build) => Add(key, build(new DictBuilder()).Build());

    /// <summary>Adds a list of <paramref name="count"/> nested dictionary spaces (e.g. network stages).</summary>
    public DictBuilder Repeat(string key, int count, Func<DictBuilder, DictBuilder> build) =>
        Add(key, new SymList(Enumerable.Range(0, count).Select(_ => (object?)build(new DictBuilder()).Build())));

    /// <summary>Adds a list of nested spaces built from their position.</summary>
    public DictBuilder Repeat(string key, int count, Func<int, DictBuilder, DictBuilder> build) =>
        Add(key, new SymList(Enumerable.Range(0, count).Select(i => (object?)build(i, new DictBuilder()).Build())));

    /// <summary>The space.</summary>
    public SymDict Build() => (SymDict)_dict.Clone();
}

/// <summary>Fluent builder of a typed <see cref="SymObject"/> space; materializes to <typeparamref name="T"/>.</summary>
public sealed class ObjectBuilder<T>
{
    private readonly SymObject _object = new(typeof(T));

    /// <summary>Sets a member to a fixed value, a hyper value or a nested space; checked against the member type.</summary>
    public ObjectBuilder<T> Set<TValue>(Expression<Func<T, TValue>> member, object? value)
    {
        if (member.Body is not MemberExpression { Member: PropertyInfo or FieldInfo } m)
            throw new ArgumentException($"Expected a property or field access such as x => x.Kernel, got '{member}'.", nameof(member));
        return Set(m.Member.Name, value);
    }

    /// <summary>Sets a member by name.</summary>
    public ObjectBuilder<T> Set(string member, object? value)
    {
        _object[member] = value switch { DictBuilder b => b.Build(), _ => value };
        return this;
    }

    /// <summary>The space.</summary>
    public SymObject Build() => (SymObject)_object.Clone();
}
