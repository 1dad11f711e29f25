using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace NasNotebooks.Dsl;

/// <summary>Reflection bridge between CLR objects and <see cref="SymObject"/> (the generic, non-generated path).</summary>
internal static class ClrBinding
{
    internal sealed record Member(string Name, Type Type, Func<object, object?> Get, Action<object, object?>? Set);

    internal sealed class TypeSchema
    {
        public required Type Type { get; init; }
        public required IReadOnlyList<Member> Members { get; init; }
        public ConstructorInfo? Constructor { get; init; }
        public ParameterInfo[] Parameters { get; init; } = [];

        public Member? Find(string name)
        {
            foreach (var m in Members) if (m.Name == name) return m;
            foreach (var m in Members) if (string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) return m;
            return null;
        }
    }

    private static readonly ConcurrentDictionary<Type, TypeSchema> Schemas = new();

    public static TypeSchema Schema(Type type) => Schemas.GetOrAdd(type, Build);

    private static TypeSchema Build(Type type)
    {
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.MetadataToken)
            .ToList();
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var members = props.Select(p => new Member(
            p.Name, p.PropertyType, o => p.GetValue(o),
            p.SetMethod is { IsPublic: true } ? (o, v) => p.SetValue(o, v) : null)).ToList();
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Select(f => new Member(f.Name, f.FieldType, o => f.GetValue(o), f.IsInitOnly ? null : (o, v) => f.SetValue(o, v)));
        members.AddRange(fields);
        return new TypeSchema { Type = type, Members = members, Constructor = ctor, Parameters = ctor?.GetParameters() ?? [] };
    }

    public static object Construct(Type type, SymObject source)
    {
        var schema = Schema(type);
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        object instance;
        if (schema.Constructor is null)
        {
            instance = Activator.CreateInstance(type) ?? throw new InvalidOperationException($"Cannot create {type.Name}.");
        }
        else
        {
            var args = new object?[schema.Parameters.Length];
            for (int i = 0; i < args.Length; i++)
            {
                var p = schema.Parameters[i];
                var field = source.FieldNames.FirstOrDefault(f => string.Equals(f, p.Name, StringComparison.OrdinalIgnoreCase));
                if (field is not null) { args[i] = ConvertTo(source[field], p.ParameterType, $"{type.Name}.{p.Name}"); used.Add(field); }
                else if (p.HasDefaultValue) args[i] = p.DefaultValue;
                else args[i] = p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null;
            }
            instance = schema.Constructor.Invoke(args);
        }
        foreach (var f in source.FieldNames)
        {
            if (used.Contains(f)) continue;
            var m = schema.Find(f) ?? throw new InvalidOperationException($"{type.Name} has no field '{f}'.");
            if (m.Set is null) throw new InvalidOperationException($"{type.Name}.{m.Name} is neither a constructor parameter nor settable.");
            m.Set(instance, ConvertTo(source[f], m.Type, $"{type.Name}.{m.Name}"));
        }
        return instance;
    }

    public static SymObject ToSymbolic(object value)
    {
        var type = value.GetType();
        var o = new SymObject(type);
        foreach (var m in Schema(type).Members) o[m.Name] = m.Get(value);
        return o;
    }

    public static bool TryGetMember(object value, string name, out object? result)
    {
        var m = Schema(value.GetType()).Find(name);
        if (m is null) { result = null; return false; }
        result = m.Get(value);
        return true;
    }

    /// <summary>Whether a field of type <paramref name="type"/> may hold <paramref name="value"/> in a symbolic tree.</summary>
    public static bool CanHold(Type type, object? value)
    {
        if (value is null) return !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        if (value is HyperValue || type == typeof(object) || type.IsInstanceOfType(value)) return true;
        if (value is SymObject so) return so.ClrType is null || type.IsAssignableFrom(so.ClrType);
        if (value is SymList) return type.IsArray || typeof(IEnumerable).IsAssignableFrom(type) && type != typeof(string);
        if (value is SymDict) return typeof(IEnumerable).IsAssignableFrom(type) || !type.IsPrimitive;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum) return value is string || SymbolicValues.IsNumber(value);
        if (SymbolicValues.IsNumber(value) && SymbolicValues.IsNumberType(target))
            return !SymbolicValues.IsIntegralType(target) || SymbolicValues.IsIntegral(value);
        return false;
    }

    public static object? ConvertTo(object? value, Type type, string where)
    {
        if (value is null) return null;
        if (type.IsInstanceOfType(value) && value is not SymObject && value is not SymList && value is not SymDict) return value;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        switch (value)
        {
            case SymObject so:
                var clr = so.ClrType is not null ? so.ToClr() : so;
                if (type.IsInstanceOfType(clr)) return clr;
                break;
            case SymList list:
                if (type.IsInstanceOfType(value) && (type == typeof(object) || type == typeof(SymList))) return value;
                var elemType = ElementType(type);
                if (elemType is not null)
                {
                    var items = list.Select((v, i) => ConvertTo(v, elemType, $"{where}[{i}]")).ToList();
                    if (type.IsArray)
                    {
                        var arr = Array.CreateInstance(elemType, items.Count);
                        for (int i = 0; i < items.Count; i++) arr.SetValue(items[i], i);
                        return arr;
                    }
                    var listType = typeof(List<>).MakeGenericType(elemType);
                    if (type.IsAssignableFrom(listType))
                    {
                        var l = (IList)Activator.CreateInstance(listType)!;
                        foreach (var it in items) l.Add(it);
                        return l;
                    }
                }
                if (type.IsInstanceOfType(value)) return value;
                break;
            case SymDict dict:
                if (type.IsInstanceOfType(value)) return value;
                var vt = type.IsGenericType ? type.GetGenericArguments()[^1] : typeof(object);
                var dt = typeof(Dictionary<,>).MakeGenericType(typeof(string), vt);
                if (type.IsAssignableFrom(dt))
                {
                    var d = (IDictionary)Activator.CreateInstance(dt)!;
                    foreach (var (k, v) in dict) d[k] = ConvertTo(v, vt, $"{where}.{k}");
                    return d;
                }
                break;
            default:
                if (target.IsEnum)
                {
                    if (value is string s && Enum.TryParse(target, s, out var e)) return e;
                    if (SymbolicValues.IsIntegral(value)) return Enum.ToObject(target, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                }
                if (SymbolicValues.IsNumber(value) && SymbolicValues.IsNumberType(target))
                    return Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
        throw new InvalidCastException($"Cannot convert {SymbolicValues.Describe(value)} to {TypeName(type)} for '{where}'.");
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (type == typeof(object)) return typeof(object);
        if (type.IsGenericType && type.GetGenericArguments().Length == 1) return type.GetGenericArguments()[0];
        return null;
    }

    public static string TypeName(Type t) => t.IsGenericType
        ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>"
        : t.Name;
}
