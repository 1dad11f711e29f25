namespace NasNotebooks.Kernel;

/// <summary>C# source spelling of a runtime type, falling back to <c>object</c> for types cells cannot name.</summary>
internal static class CSharpTypeName
{
    public static string Of(Type t) => TryName(t) ?? "object";

    private static string? TryName(Type t)
    {
        if (t.IsArray)
        {
            var e = TryName(t.GetElementType()!);
            return e is null ? null : e + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        }
        if (t.IsPointer || t.IsByRef || t.IsGenericParameter)
        {
            return null;
        }
        if (!IsVisible(t) || t.Name.Contains('<', StringComparison.Ordinal) || (t.FullName?.Contains("Submission#", StringComparison.Ordinal) ?? true))
        {
            return null;
        }
        var name = t.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }
        string prefix = t.IsNested ? TryName(t.DeclaringType!) is { } outer ? outer + "." : "" : (t.Namespace is { Length: > 0 } ns ? "global::" + ns + "." : "global::");
        if (t.IsNested && !t.DeclaringType!.IsGenericType && TryName(t.DeclaringType!) is null)
        {
            return null;
        }
        if (!t.IsGenericType)
        {
            return prefix + name;
        }
        var args = t.GetGenericArguments();
        var own = t.IsNested ? args.Skip(t.DeclaringType!.GetGenericArguments().Length).ToArray() : args;
        if (t.IsNested && t.DeclaringType!.IsGenericType)
        {
            return null;
        }
        var names = own.Select(TryName).ToArray();
        return names.Any(n => n is null) ? null : prefix + name + "<" + string.Join(", ", names) + ">";
    }

    private static bool IsVisible(Type t) => t.IsPublic || (t.IsNestedPublic && IsVisible(t.DeclaringType!));
}
