using NasNotebooks.Dsl;
using NasNotebooks.Samples;

// Random search over two [Searchable] models with a plain loop. The scores are toy proxies (no training):
// the runtime's search algorithms and evaluators live elsewhere.
int trials = args.Length > 0 && int.TryParse(args[0], out var t) ? t : 300;

Console.WriteLine($"NB201 cell space: {Nb201Cell.Spec.SpaceSize} cells, {Nb201Cell.Spec.DecisionPoints.Count()} decisions");
var rng = new Random(1);
(double Score, Nb201Cell Cell, Dna Dna)? bestCell = null;
for (int i = 0; i < trials; i++)
{
    var dna = Nb201Cell.Spec.Random(rng);
    var cell = Nb201Cell.Materialize(dna);
    double score = CellProxy(cell);
    if (bestCell is null || score > bestCell.Value.Score) bestCell = (score, cell, dna);
}
Console.WriteLine($"  best of {trials}: {bestCell!.Value.Cell.ArchString} score={bestCell.Value.Score:F3} dna={bestCell.Value.Dna}");

Console.WriteLine($"Small CNN space: {SmallCnn.Spec.SpaceSize?.ToString() ?? "infinite (has a float)"}; decisions: {string.Join(", ", SmallCnn.Spec.DecisionPoints.Take(6).Select(d => d.Name ?? d.Id))}, ...");
rng = new Random(1);
(double Score, SmallCnn Model)? best = null;
for (int i = 0; i < trials; i++)
{
    var model = SmallCnn.Materialize(SmallCnn.Spec.Random(rng));
    double score = CnnProxy(model);
    if (best is null || score > best.Value.Score) best = (score, model);
}
var winner = best!.Value.Model;
Console.WriteLine($"  best of {trials}: score={best.Value.Score:F3} dna={winner.Encode()}");
Console.WriteLine("  " + winner.ToSymbolic().Format());
Console.WriteLine("  json: " + SymbolicJson.Serialize(winner.ToSymbolic()));
var tweaked = winner.WithDropout(0.3);
Console.WriteLine($"  with dropout 0.3: {tweaked.Encode()}");
return 0;

static double CellProxy(Nb201Cell c)
{
    // Rewards convolutions on paths into the output node and penalises cells with no path (all 'none').
    Nb201Op[] ops = [c.Edge1From0, c.Edge2From0, c.Edge2From1, c.Edge3From0, c.Edge3From1, c.Edge3From2];
    double s = ops.Sum(o => o switch { Nb201Op.NorConv3x3 => 1.0, Nb201Op.NorConv1x1 => 0.6, Nb201Op.SkipConnect => 0.3, Nb201Op.AvgPool3x3 => 0.2, _ => 0.0 });
    bool connected = c.Edge3From0 != Nb201Op.None || c.Edge3From1 != Nb201Op.None && c.Edge1From0 != Nb201Op.None || c.Edge3From2 != Nb201Op.None;
    return connected ? s : 0;
}

static double CnnProxy(SmallCnn m)
{
    // A made-up trade-off: capacity helps, parameters cost, a learning rate near 3e-3 is best.
    double capacity = 0, parameters = 0;
    int channels = m.InputChannels;
    foreach (var stage in m.Stages)
    {
        for (int d = 0; d < stage.Depth; d++)
        {
            switch (stage.Layer)
            {
                case ConvLayer conv: parameters += channels * conv.Channels * conv.Kernel * conv.Kernel; channels = conv.Channels; capacity += 1.0; break;
                case SeparableLayer sep: parameters += channels * 9 + channels * sep.Channels; channels = sep.Channels; capacity += 0.8; break;
                case PoolLayer: capacity += 0.1; break;
            }
        }
    }
    return Math.Log(1 + capacity) - parameters / 2e5 - Math.Abs(Math.Log10(m.LearningRate) - Math.Log10(3e-3)) * 0.2 - m.Dropout * 0.1;
}
