namespace NasNotebooks.Dsl;

/// <summary>Builds a <see cref="SpaceSpec"/> and its materialization template from a symbolic value.</summary>
internal static class DnaSpecBuilder
{
    public static SpaceSpec Build(object? space, Func<HyperValue, bool>? where)
    {
        var spec = BuildSpace(space, "", KeyPath.Root, where);
        CheckNames(spec);
        return spec;
    }

    public static SpaceSpec ConstantSpace(string id, object? value, DnaSpec parent) =>
        new(id, KeyPath.Root, [], new ConstNode(value), value) { Parent = parent };

    private static SpaceSpec BuildSpace(object? value, string spaceId, KeyPath location, Func<HyperValue, bool>? where)
    {
        var elements = new List<DecisionPoint>();
        TemplateNode Compile(object? v, KeyPath loc)
        {
            switch (v)
            {
                case HyperValue h when where is null || where(h):
                    var dp = BuildDecision(h, KeyPath.Join(spaceId, loc), loc, where);
                    elements.Add(dp);
                    return new DecisionNode(elements.Count - 1, dp);
                case HyperValue:
                    return new ConstNode(v);
                case SymList list:
                {
                    var items = list.Select((x, i) => Compile(x, loc.Append(i))).ToArray();
                    return items.All(i => i is ConstNode) ? new ConstNode(v) : new ListNode(items);
                }
                case SymDict dict:
                {
                    var keys = dict.Keys.ToArray();
                    var vals = keys.Select(k => Compile(dict[k], loc.Append(k))).ToArray();
                    return vals.All(i => i is ConstNode) ? new ConstNode(v) : new DictNode(keys, vals);
                }
                case SymObject obj:
                {
                    var keys = obj.FieldNames.ToArray();
                    var vals = keys.Select(k => Compile(obj[k], loc.Append(k))).ToArray();
                    bool toClr = obj.ClrType is not null && !ContainsUnselected(obj, where);
                    return !toClr && vals.All(i => i is ConstNode) ? new ConstNode(v) : new ObjectNode(obj, keys, vals, toClr);
                }
                default:
                    return new ConstNode(v);
            }
        }
        var template = Compile(value, KeyPath.Root);
        return new SpaceSpec(spaceId, location, elements.ToArray(), template, value);
    }

    private static bool ContainsUnselected(Symbolic node, Func<HyperValue, bool>? where) =>
        where is not null && node.Query(where: (_, v) => v is HyperValue h && !where(h)).Count > 0;

    private static DecisionPoint BuildDecision(HyperValue h, string id, KeyPath loc, Func<HyperValue, bool>? where)
    {
        switch (h)
        {
            case FloatHyper f: return new FloatSpec(id, loc, f);
            case CustomHyper c: return new CustomSpec(id, loc, c);
            case IntHyper i: return new ChoicesSpec(id, loc, i, i.Name, -1, null, null, i, j => $"{id}[={j}/{i.Count}]");
            case OneOf o: return BuildSingle(o, id, loc, o.Name, -1, where);
            case ManyOf m:
                var subs = new ChoicesSpec[m.K];
                for (int q = 0; q < m.K; q++)
                    subs[q] = BuildSingle(m, $"{id}[{q}]", loc.Append(q), m.Name is null ? null : $"{m.Name}[{q}]", q, where);
                return new ChoicesSpec(id, loc, m, subs);
            default: throw new ArgumentException($"Unsupported hyper value {h.GetType().Name} at '{id}'.");
        }
    }

    private static ChoicesSpec BuildSingle(ChoicesHyper h, string id, KeyPath loc, string? name, int subchoice, Func<HyperValue, bool>? where)
    {
        int n = h.Candidates.Count;
        var constants = new object?[n];
        SpaceSpec?[]? subspaces = null;
        for (int j = 0; j < n; j++)
        {
            var cand = h.Candidates[j];
            var space = BuildSpace(cand, $"{id}[={j}/{n}]", KeyPath.Root, where);
            if (space.IsConstant)
                constants[j] = space.Template is ConstNode ? cand : space.Template.Build([]);
            else
            {
                subspaces ??= new SpaceSpec?[n];
                subspaces[j] = space;
                constants[j] = cand;
            }
        }
        return new ChoicesSpec(id, loc, h, name, subchoice, constants, subspaces, null, j => $"{id}[={j}/{n}]");
    }

    private static void CheckNames(SpaceSpec root)
    {
        var seen = new Dictionary<string, DecisionPoint>(StringComparer.Ordinal);
        void Visit(DnaSpec node, bool replica)
        {
            switch (node)
            {
                case SpaceSpec s:
                    foreach (var e in s.Elements) Visit(e, replica);
                    break;
                case ChoicesSpec c:
                    Register(c, replica);
                    if (c.IsMultiChoice) { for (int q = 0; q < c.Subchoices.Count; q++) Visit(c.Subchoices[q], replica || q > 0); }
                    else for (int j = 0; j < c.CandidateCount; j++) if (c.IsConditional(j)) Visit(c.Candidates[j], replica);
                    break;
                case DecisionPoint d:
                    Register(d, replica);
                    break;
            }
        }
        void Register(DecisionPoint d, bool replica)
        {
            if (replica || d.Name is null || d is ChoicesSpec { SubchoiceIndex: >= 0 }) return;
            if (seen.TryGetValue(d.Name, out var other))
                throw new ArgumentException($"Duplicate decision name '{d.Name}': used at '{other.Id}' and at '{d.Id}'. Names must be unique within a space.");
            seen[d.Name] = d;
        }
        Visit(root, false);
    }
}
