using System.Collections.Concurrent;

namespace NasNotebooks.Dsl;

/// <summary>
/// Registry of type keys for symbolic objects, used by JSON (<c>"_type"</c>) and formatting.
/// Types are registered under their full name on first use; register a shorter key explicitly
/// before deserializing JSON that uses it.
/// </summary>
public static class SymbolicTypes
{
    private static readonly ConcurrentDictionary<string, Type> ByKey = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, string> ByType = new();

    /// <summary>Registers <typeparamref name="T"/> under <paramref name="key"/> (default: the full type name).</summary>
    public static void Register<T>(string? key = null) => Register(typeof(T), key);

    /// <summary>Registers <paramref name="type"/> under <paramref name="key"/> (default: the full type name).</summary>
    /// <exception cref="ArgumentException">The key is already taken by another type.</exception>
    public static void Register(Type type, string? key = null)
    {
        key ??= type.FullName ?? type.Name;
        var existing = ByKey.GetOrAdd(key, type);
        if (existing != type)
            throw new ArgumentException($"Type key '{key}' is already registered for {existing.FullName}; choose another key for {type.FullName}.", nameof(key));
        ByType.AddOrUpdate(type, key, (_, old) => old.Length <= key.Length ? old : key);
    }

    /// <summary>The key of <paramref name="type"/>, registering it under its full name when new.</summary>
    public static string KeyOf(Type type)
    {
        if (ByType.TryGetValue(type, out var key)) return key;
        Register(type);
        return ByType[type];
    }

    /// <summary>Finds the CLR type registered under <paramref name="key"/>.</summary>
    public static bool TryResolve(string key, out Type type)
    {
        if (ByKey.TryGetValue(key, out type!)) return true;
        var t = Type.GetType(key) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(key)).FirstOrDefault(x => x is not null);
        if (t is null) return false;
        Register(t);
        type = t;
        return true;
    }
}
