using NasNotebooks.Dsl;

namespace NasNotebooks.Dsl.Tests;

public class SymbolicTests
{
    private static SymDict Model() => new()
    {
        ["name"] = "net",
        ["layers"] = new SymList
        {
            new SymObject(typeof(Conv)) { ["Kernel"] = 3, ["Activation"] = "relu" },
            new SymObject(typeof(Conv)) { ["Kernel"] = 5, ["Activation"] = "gelu" },
        },
        ["lr"] = Hyper.Float(1e-4, 1e-1, Scale.Log).Named("lr"),
    };

    [Fact]
    public void KeyPath_ParsesAndFormats()
    {
        var p = KeyPath.Parse("layers[2].kernel");
        Assert.Equal(3, p.Depth);
        Assert.Equal("layers[2].kernel", p.ToString());
        Assert.Equal("layers[2]", p.Parent.ToString());
        Assert.Throws<FormatException>(() => KeyPath.Parse("a..b"));
        Assert.Throws<FormatException>(() => KeyPath.Parse("a[x]"));
    }

    [Fact]
    public void Rebind_ByPath_Validates()
    {
        var m = Model();
        m.Rebind("layers[1].Kernel", 7);
        Assert.Equal(7, m.Get("layers[1].Kernel"));
        var bad = Assert.Throws<ArgumentException>(() => m.Rebind("layers[1].Kernel", "seven"));
        Assert.Contains("layers[1].Kernel", bad.Message);
        var missing = Assert.Throws<KeyNotFoundException>(() => m.Rebind("layers[5].Kernel", 1));
        Assert.Contains("layers[5]", missing.Message);
        Assert.Throws<ArgumentException>(() => m.Rebind(new Dictionary<string, object?> { ["name"] = "x", ["layers[0].Kernel"] = "bad" }));
        Assert.Equal("net", m["name"]);
    }

    [Fact]
    public void Clone_IsDeep_AndEqual()
    {
        var m = Model();
        var c = (SymDict)m.Clone();
        Assert.Equal(m, c);
        c.Rebind("layers[0].Kernel", 9);
        Assert.NotEqual(m, c);
        Assert.Equal(3, m.Get("layers[0].Kernel"));
        var diff = m.Diff(c);
        Assert.Single(diff);
        Assert.Equal("layers[0].Kernel", diff[0].Path.ToString());
        Assert.Equal(3, diff[0].Left);
        Assert.Equal(9, diff[0].Right);
    }

    [Fact]
    public void Query_ByPathRegexAndPredicate()
    {
        var m = Model();
        var kernels = m.Query(@"^layers\[\d+\]\.Kernel$");
        Assert.Equal(new object?[] { 3, 5 }, kernels.Select(k => k.Value));
        var hypers = m.Query(where: (_, v) => v is HyperValue);
        Assert.Equal("lr", Assert.Single(hypers).Key.ToString());
    }

    [Fact]
    public void Format_CompactAndMultiLine()
    {
        var m = Model();
        Assert.Equal("{name: \"net\", layers: [Conv(Kernel=3, Activation=\"relu\"), Conv(Kernel=5, Activation=\"gelu\")], lr: Float(min=0.0001, max=0.1, scale=\"Log\", name=\"lr\")}", m.Format());
        var multi = m.Format(compact: false);
        Assert.Contains("\n  layers: [\n    Conv(Kernel=3, Activation=\"relu\"),", multi);
    }

    [Fact]
    public void Json_RoundTripsSpacesAndValues()
    {
        var m = Model();
        m["perm"] = Hyper.Permutation(new[] { "a", "b" });
        m["many"] = Hyper.ManyOf(2, new object?[] { 1.0, null, true }, distinct: false, sorted: true).Named("many");
        m["units"] = Hyper.Int(8, 64, 8);
        m["cond"] = Hyper.OneOf(new SymDict { ["b"] = Hyper.OneOf(1, 2) }, 6);
        m["record"] = new Conv(3, "relu");
        var json = m.ToJson();
        var back = Assert.IsType<SymDict>(Symbolic.FromJson(json));
        Assert.Equal(m, back);
        Assert.Equal(json, back.ToJson());
        Assert.IsType<double>(((SymList)((ManyOf)back["many"]!).Candidates)[0]);
        Assert.Equal(new Conv(3, "relu"), back["record"]);
        Assert.Equal(Space.Spec(m).DecisionPoints.Select(d => d.Id), Space.Spec(back).DecisionPoints.Select(d => d.Id));
        Assert.Throws<FormatException>(() => Symbolic.FromJson("{\"_type\": \"OneOf\"}"));
        Assert.Throws<FormatException>(() => Symbolic.FromJson("{\"_type\": \"No.Such.Type\", \"_value\": true}"));
    }
}
