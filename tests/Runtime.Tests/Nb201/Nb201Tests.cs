using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Nb201;

namespace NasNotebooks.Runtime.Tests.Nb201;

public class Nb201Tests
{
    [Fact]
    public void Space_HasSixEdgesOfFiveOps()
    {
        var spec = Nb201Space.Spec();
        Assert.Equal(15625, (int)spec.SpaceSize!.Value);
        Assert.Equal(Nb201Space.Edges, spec.DecisionPoints.Select(d => d.Id));
        Assert.All(spec.DecisionPoints, d => Assert.Equal(5, ((ChoicesSpec)d).CandidateCount));
        Assert.Equal(Nb201Space.Edges, spec.DecisionPoints.Select(d => d.Name));
        Assert.Equal("nor_conv_3x3", ((ChoicesSpec)spec["edge_3_2"]).CandidateValue(3));
    }

    [Fact]
    public void ArchString_MapsDnaAndMaterializedCell()
    {
        var spec = Nb201Space.Spec();
        var dna = Dna.List(Dna.Leaf(3), Dna.Leaf(3), Dna.Leaf(3), Dna.Leaf(1), Dna.Leaf(3), Dna.Leaf(2));
        const string arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
        Assert.Equal(arch, Nb201Space.ArchString(dna));
        var cell = (IReadOnlyDictionary<string, object?>)spec.Materialize(dna)!;
        Assert.Equal(arch, Nb201Space.ArchString(cell));
        Assert.Equal(dna, Nb201Space.Encode(arch));
        Assert.Throws<FormatException>(() => Nb201Space.ParseArch("|conv~0|+|"));
        var bad = Assert.Throws<ArgumentException>(() => Nb201Space.ArchString(new Dictionary<string, object?> { ["edge_1_0"] = "none" }));
        Assert.Contains("edge_2_0", bad.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesThePath()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "no-such-dir-nb201", "missing.csv");
        var e = Assert.Throws<FileNotFoundException>(() => Nb201Table.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_MalformedFile_NamesPathAndLine()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "index,arch,cifar10_valid_acc,cifar10_test_acc,params\n0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,10,10,100\n1,|bogus~0|,1,2,3\n");
            var e = Assert.Throws<InvalidDataException>(() => Nb201Table.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("line 3", e.Message);
            File.WriteAllText(path, "index,arch,valid\n");
            var h = Assert.Throws<InvalidDataException>(() => Nb201Table.Load(path));
            Assert.Contains("cifar10_valid_acc", h.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Load_OtherColumns_ReadsThemAsValidAndTest_AndNamesAMissingOne()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "index,arch,cifar10_valid_acc,cifar10_test_acc,params,cifar100_valid_acc,cifar100_test_acc\n" +
                "0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,10,11,100,1.5,2.5\n");
            var t = Nb201Table.Load(path, "cifar100_valid_acc", "cifar100_test_acc");
            Assert.Equal(1.5, t.Records[0].ValidAccuracy);
            Assert.Equal(2.5, t.Records[0].TestAccuracy);
            var e = Assert.Throws<InvalidDataException>(() => Nb201Table.Load(path, "imagenet16_valid_acc"));
            Assert.Contains("'imagenet16_valid_acc'", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Nb201Fact]
    public void Table_HasTheDocumentedFacts()
    {
        var t = Nb201TestData.Table;
        Assert.Equal(15625, t.Records.Count);
        Assert.Equal(94.3733, t.Records.Max(r => r.TestAccuracy), 4);
        Assert.Equal(91.6067, t.Records.Max(r => r.ValidAccuracy), 4);
        var best = t["|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"];
        Assert.Equal(6111, best.Index);
        Assert.Equal(1073466, best.Params);
        var dna = Nb201Space.Encode(best.Arch);
        Assert.Same(best, t[dna]);
        Assert.Equal(94.3733, t.Metrics(dna)["test_acc"], 4);
        Assert.Equal(341, t.Records.Count(r => r.TestAccuracy == 10.0));
        // Every DNA of the space has a row, and a row of its own: the 15,625 DNAs map one to one onto the 15,625 rows.
        var rows = Nb201Space.Spec().Enumerate().Select(d => t[d]).ToList();
        Assert.Equal(15625, rows.Count);
        Assert.All(rows, Assert.NotNull);
        Assert.Equal(15625, rows.Select(r => r.Index).Distinct().Count());
    }

    [Fact]
    public void FindDefault_LooksBesideTheRepository()
    {
        var root = Directory.CreateTempSubdirectory("nb201-find").FullName;
        try
        {
            var repo = Directory.CreateDirectory(System.IO.Path.Combine(root, "repo")).FullName;
            Directory.CreateDirectory(System.IO.Path.Combine(repo, ".git"));
            var bin = Directory.CreateDirectory(System.IO.Path.Combine(repo, "tests", "bin")).FullName;
            if (Environment.GetEnvironmentVariable(Nb201Table.EnvironmentVariable) is null)
                Assert.Null(Nb201Table.FindDefault(bin));
            var data = Directory.CreateDirectory(System.IO.Path.Combine(root, "shared", "data")).FullName;
            var file = System.IO.Path.Combine(data, Nb201Table.FileName);
            File.WriteAllText(file, "index,arch,cifar10_valid_acc,cifar10_test_acc,params\n");
            if (Environment.GetEnvironmentVariable(Nb201Table.EnvironmentVariable) is null)
                Assert.Equal(file, Nb201Table.FindDefault(bin));
            var e = Assert.Throws<InvalidDataException>(() => Nb201Table.Load(file));
            Assert.Contains("no rows", e.Message);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
