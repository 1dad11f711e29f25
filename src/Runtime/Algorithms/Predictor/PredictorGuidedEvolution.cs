using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms.Predictor;

/// <summary>How <see cref="PredictorGuidedEvolution"/> scores candidates with its ensemble.</summary>
public enum PredictorAcquisition
{
    /// <summary>
    /// Independent Thompson sampling (White et al. 2021): each candidate is scored by one ensemble
    /// member drawn at random for that candidate, a cheap stand-in for a posterior sample.
    /// </summary>
    ThompsonSampling,

    /// <summary>Upper confidence bound: ensemble mean plus <c>kappa</c> times the ensemble standard deviation.</summary>
    UpperConfidenceBound,

    /// <summary>
    /// A round-robin portfolio of the two (Hoffman, Brochu &amp; de Freitas, "Portfolio Allocation for
    /// Bayesian Optimization", UAI 2011, in its simplest form): guided proposals alternate between
    /// <see cref="ThompsonSampling"/> and <see cref="UpperConfidenceBound"/>.
    /// </summary>
    Alternating,
}

/// <summary>
/// Predictor-guided evolution in the style of BANANAS (White, Neiswanger &amp; Savani, "BANANAS:
/// Bayesian Optimization with Neural Architectures for Neural Architecture Search", AAAI 2021), on
/// any <see cref="SpaceSpec"/>. Each evaluated DNA is encoded as a feature vector: one-hot per
/// categorical decision (conditional ones by decision id, all zeros while inactive; ordinal choices
/// also get their normalized index), and for each float its normalized value
/// (<see cref="FloatSpec.Normalize"/>) plus an "active" flag. After <c>initialRandom</c> uniform
/// proposals, every proposal fits an ensemble of <c>ensembleSize</c> gradient-boosted regression-tree
/// models (plain C#, deterministic fitting), each on its own bootstrap sample of the evaluated DNAs,
/// then draws <c>candidates</c> candidates (mutations of the <c>topK</c> best evaluated DNAs with one
/// to <c>maxEdits</c> <see cref="DnaOps.Mutate"/> edits, and a share of uniform ones), drops every DNA already
/// proposed, and proposes the best candidate under the acquisition (<see cref="PredictorAcquisition"/>);
/// with UCB the winner is then improved by up to <c>acquisitionSteps</c> greedy moves over its
/// one-edit neighbourhood scored by the ensemble (cheap: no evaluation is spent on them).
/// Never repeats a DNA within a run while unseen DNAs can be found; when none can be (an exhausted
/// finite space) it proposes a uniform DNA, which may repeat. All randomness comes from the seeded
/// base random source, so the default <see cref="SearchAlgorithmBase.Recover"/> replay is exact.
/// Multi-objective rewards use their first objective. Defaults (top 20, 1–3 edits, 20 % uniform
/// candidates, Thompson sampling and UCB with kappa 2 on alternate proposals, 2 acquisition steps)
/// and why: bench/algorithms/README.md.
/// </summary>
/// <example><code>var algo = new PredictorGuidedEvolution(seed: 1); // or AlgorithmCatalog.Create("bananas", 1)</code></example>
public sealed class PredictorGuidedEvolution : SearchAlgorithmBase
{
    private readonly int _initialRandom, _ensembleSize, _candidates, _topK, _trees, _depth, _maxEdits, _neighbourParents, _acquisitionSteps;
    private readonly double _randomFraction, _kappa, _learningRate;
    private readonly PredictorAcquisition _acquisition;

    private readonly HashSet<Dna> _proposed = [];
    private readonly Dictionary<Dna, int> _rowOf = [];
    private readonly List<Dna> _dnas = [];
    private readonly List<double> _y = [];
    // Rows by target, best first (ties: earlier row first): the parents are its head.
    private readonly List<int> _ranked = [];
    // The finite rewards in increasing order (for the outlier fence of the targets).
    private readonly List<double> _finiteSorted = [];
    private BinnedFeatures _features = new(0);
    private readonly int _trainingRows;
    private Dictionary<string, (DecisionPoint Decision, int Offset)> _layout = new(StringComparer.Ordinal);
    private int _width;
    private GradientBoostedTrees[] _models = [];
    private int _fittedOn = -1;
    private int _guided;
    private bool _thompsonNow;

    /// <summary>Creates the algorithm.</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="initialRandom">Uniform proposals before the predictor is used (at least 2).</param>
    /// <param name="ensembleSize">Number of predictors in the ensemble, each on its own bootstrap sample (at least 2).</param>
    /// <param name="candidates">Candidates scored per proposal (at least 1).</param>
    /// <param name="topK">Number of best evaluated DNAs whose mutations form the candidates (at least 1).</param>
    /// <param name="maxEdits">A mutated candidate gets a uniform number of <see cref="DnaOps.Mutate"/> edits in 1..maxEdits (at least 1).</param>
    /// <param name="randomFraction">Share of uniform random candidates, in [0, 1].</param>
    /// <param name="acquisition">How candidates are scored.</param>
    /// <param name="kappa">Weight of the ensemble standard deviation for <see cref="PredictorAcquisition.UpperConfidenceBound"/> (at least 0).</param>
    /// <param name="trees">Boosted trees per predictor (at least 1).</param>
    /// <param name="depth">Depth of each tree (1 to 6).</param>
    /// <param name="learningRate">Boosting shrinkage, in (0, 1].</param>
    /// <param name="neighbourParents">The full one-edit neighbourhood (<see cref="DnaOps.Neighbours"/>) of this many best evaluated DNAs joins the candidates (at least 0).</param>
    /// <param name="acquisitionSteps">Greedy steps of hill climbing on the UCB acquisition from the best candidate, over its one-edit neighbourhood (at least 0; not used by Thompson-sampling proposals, whose scores are random draws).</param>
    /// <param name="trainingRows">Each predictor trains on a bootstrap sample of min(n, trainingRows) of the n evaluated DNAs, which bounds the cost of a proposal in long runs (at least 2).</param>
    public PredictorGuidedEvolution(int seed = 0, int initialRandom = 10, int ensembleSize = 5, int candidates = 100, int topK = 20, int maxEdits = 3,
        double randomFraction = 0.2, PredictorAcquisition acquisition = PredictorAcquisition.Alternating, double kappa = 2,
        int trees = 40, int depth = 3, double learningRate = 0.2, int neighbourParents = 0, int acquisitionSteps = 2, int trainingRows = DefaultTrainingRows) : base(seed)
    {
        Require(trainingRows >= 2, nameof(trainingRows), "at least 2", trainingRows);
        _trainingRows = trainingRows;
        Require(neighbourParents >= 0, nameof(neighbourParents), "at least 0", neighbourParents);
        Require(acquisitionSteps >= 0, nameof(acquisitionSteps), "at least 0", acquisitionSteps);
        _neighbourParents = neighbourParents; _acquisitionSteps = acquisitionSteps;
        Require(initialRandom >= 2, nameof(initialRandom), "at least 2", initialRandom);
        Require(ensembleSize >= 2, nameof(ensembleSize), "at least 2", ensembleSize);
        Require(candidates >= 1, nameof(candidates), "at least 1", candidates);
        Require(topK >= 1, nameof(topK), "at least 1", topK);
        Require(maxEdits >= 1, nameof(maxEdits), "at least 1", maxEdits);
        Require(randomFraction is >= 0 and <= 1, nameof(randomFraction), "in [0, 1]", randomFraction);
        Require(Enum.IsDefined(acquisition), nameof(acquisition), "a defined PredictorAcquisition", acquisition);
        Require(kappa >= 0 && double.IsFinite(kappa), nameof(kappa), "a finite number at least 0", kappa);
        Require(trees >= 1, nameof(trees), "at least 1", trees);
        Require(depth is >= 1 and <= 6, nameof(depth), "in 1..6", depth);
        Require(learningRate is > 0 and <= 1, nameof(learningRate), "in (0, 1]", learningRate);
        _initialRandom = initialRandom; _ensembleSize = ensembleSize; _candidates = candidates; _topK = topK; _maxEdits = maxEdits;
        _randomFraction = randomFraction; _acquisition = acquisition; _kappa = kappa;
        _trees = trees; _depth = depth; _learningRate = learningRate;
    }

    /// <summary>The default bootstrap sample size per predictor (see the constructor's <c>trainingRows</c>).</summary>
    public const int DefaultTrainingRows = 2000;

    /// <inheritdoc />
    public override string Name => "bananas";

    /// <summary>Number of DNAs fed back so far (distinct).</summary>
    public int Observed => _dnas.Count;

    /// <summary>Length of the feature vector a DNA is encoded as.</summary>
    public int FeatureCount => _width;

    /// <inheritdoc />
    protected override void OnSetup(SpaceSpec spec)
    {
        _proposed.Clear(); _rowOf.Clear(); _dnas.Clear(); _y.Clear(); _ranked.Clear(); _finiteSorted.Clear();
        _models = []; _fittedOn = -1; _guided = 0;
        _layout = new(StringComparer.Ordinal);
        int w = 0;
        foreach (var dp in spec.AllDecisions)
        {
            if (!DnaOps.IsAtomic(dp) || _layout.ContainsKey(dp.Id)) continue;
            int size = dp switch
            {
                ChoicesSpec c => c.CandidateCount + (c.IsOrdinal && c.CandidateCount > 2 ? 1 : 0),
                FloatSpec => 2,
                _ => 0,
            };
            if (size == 0) continue;
            _layout[dp.Id] = (dp, w);
            w += size;
        }
        _width = w;
        _features = new BinnedFeatures(w);
    }

    /// <summary>The feature vector of <paramref name="dna"/> (see the class remarks).</summary>
    public double[] Encode(Dna dna)
    {
        var spec = Spec;
        var v = new double[_width];
        foreach (var (dp, value) in DnaOps.Active(spec, dna))
        {
            if (!_layout.TryGetValue(dp.Id, out var slot)) continue;
            switch (dp)
            {
                case ChoicesSpec c:
                    int k = c.CandidateCount;
                    if (value.Index >= 0 && value.Index < k) v[slot.Offset + value.Index] = 1;
                    if (c.IsOrdinal && k > 2) v[slot.Offset + k] = (value.Index + 1.0) / k;
                    break;
                case FloatSpec f:
                    v[slot.Offset] = f.Max > f.Min ? Math.Clamp(f.Normalize(value.FloatValue), 0, 1) : 0.5;
                    v[slot.Offset + 1] = 1;
                    break;
            }
        }
        return v;
    }

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward)
    {
        _ = Spec;
        _proposed.Add(dna);
        double y = reward.Value;
        if (_rowOf.TryGetValue(dna, out int row))
        {
            // A repeated evaluation (only possible in an exhausted space or from outside): keep the latest value.
            if (double.IsFinite(_y[row])) _finiteSorted.RemoveAt(_finiteSorted.BinarySearch(_y[row]));
            _ranked.Remove(row);
            _y[row] = y;
            Rank(row);
            _fittedOn = -1;
            return;
        }
        row = _dnas.Count;
        _rowOf[dna] = row;
        _dnas.Add(dna);
        _features.Add(Encode(dna));
        _y.Add(y);
        Rank(row);
    }

    // Inserts row i into the ranking (after every row with a target at least as good) and its reward into the sorted finite rewards.
    private void Rank(int i)
    {
        double t = Target(i);
        int lo = 0, hi = _ranked.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            int j = _ranked[mid];
            if (Target(j) > t || (Target(j) == t && j < i)) lo = mid + 1; else hi = mid;
        }
        _ranked.Insert(lo, i);
        if (double.IsFinite(_y[i]))
        {
            int at = _finiteSorted.BinarySearch(_y[i]);
            _finiteSorted.Insert(at < 0 ? ~at : at, _y[i]);
        }
    }

    /// <inheritdoc />
    public override Dna Propose()
    {
        var spec = Spec;
        Dna dna = _dnas.Count < _initialRandom ? FreshRandom(spec) : ProposeGuided(spec);
        _proposed.Add(dna);
        return dna;
    }

    private Dna FreshRandom(SpaceSpec spec)
    {
        if (!Exhausted(spec))
            for (int i = 0; i < 1000; i++)
            {
                var d = spec.Random(Rng);
                if (!_proposed.Contains(d)) return d;
            }
        return spec.Random(Rng);
    }

    private bool Exhausted(SpaceSpec spec) => spec.SpaceSize is { } size && _proposed.Count >= size;

    private Dna ProposeGuided(SpaceSpec spec)
    {
        int n = _dnas.Count;
        if (_fittedOn != n) Fit();
        // Parents: the top-k evaluated DNAs (ties by evaluation order).
        var order = new int[Math.Min(_topK, n)];
        _ranked.CopyTo(0, order, 0, order.Length);
        int nRandom = (int)Math.Round(_randomFraction * _candidates);
        var seen = new HashSet<Dna>();
        var cands = new List<Dna>(_candidates);
        for (int c = 0; c < _candidates; c++)
        {
            Dna cand;
            int tries = 0;
            do
            {
                if (c < _candidates - nRandom)
                {
                    var parent = _dnas[order[(c + tries) % order.Length]];
                    cand = DnaOps.Mutate(spec, parent, Rng);
                    for (int e = Rng.Next(_maxEdits); e > 0; e--) cand = DnaOps.Mutate(spec, cand, Rng);
                }
                else cand = spec.Random(Rng);
            } while ((_proposed.Contains(cand) || seen.Contains(cand)) && ++tries < 10);
            if (tries < 10 && seen.Add(cand)) cands.Add(cand);
        }
        for (int p = 0; p < Math.Min(_neighbourParents, order.Length); p++)
            foreach (var nb in DnaOps.Neighbours(spec, _dnas[order[p]], Rng))
                if (!_proposed.Contains(nb) && seen.Add(nb)) cands.Add(nb);
        if (cands.Count == 0) return FreshRandom(spec);
        _thompsonNow = _acquisition == PredictorAcquisition.ThompsonSampling
            || (_acquisition == PredictorAcquisition.Alternating && (_guided++ & 1) == 0);
        Dna best = cands[0];
        double bestScore = double.NegativeInfinity;
        foreach (var cand in cands)
        {
            double score = Score(cand);
            if (score > bestScore) { bestScore = score; best = cand; }
        }
        if (!_thompsonNow)
            for (int step = 0; step < _acquisitionSteps; step++)
            {
                Dna? move = null;
                foreach (var nb in DnaOps.Neighbours(spec, best, Rng))
                {
                    if (_proposed.Contains(nb) || !seen.Add(nb)) continue;
                    double score = Score(nb);
                    if (score > bestScore) { bestScore = score; move = nb; }
                }
                if (move is null) break;
                best = move;
            }
        return best;
    }

    private double Score(Dna cand)
    {
        var x = Encode(cand);
        if (_thompsonNow)
            return _models[Rng.Next(_models.Length)].Predict(x);
        double s = 0, s2 = 0;
        foreach (var m in _models) { double p = m.Predict(x); s += p; s2 += p * p; }
        double mean = s / _models.Length;
        return mean + _kappa * Math.Sqrt(Math.Max(0, s2 / _models.Length - mean * mean));
    }

    private double Target(int i) => double.IsFinite(_y[i]) ? _y[i] : double.NegativeInfinity;

    // Targets for the predictors: non-finite rewards and low outliers (e.g. failed trainings) are
    // raised to the lower Tukey fence Q1 - 1.5 IQR so that they do not dominate the squared loss,
    // then standardized.
    private double[] Targets()
    {
        int n = _y.Count;
        var finite = _finiteSorted;
        if (finite.Count == 0) return new double[n];
        double q1 = finite[(int)(0.25 * (finite.Count - 1))], q3 = finite[(int)(0.75 * (finite.Count - 1))];
        double fence = q1 - 1.5 * (q3 - q1);
        var t = new double[n];
        for (int i = 0; i < n; i++) t[i] = double.IsFinite(_y[i]) ? Math.Max(_y[i], fence) : fence;
        double mean = t.Average(), sd = Math.Sqrt(t.Sum(v => (v - mean) * (v - mean)) / n);
        if (sd <= 0 || !double.IsFinite(sd)) sd = 1;
        for (int i = 0; i < n; i++) t[i] = (t[i] - mean) / sd;
        return t;
    }

    // Refits the ensemble: each member on its own bootstrap sample of min(n, trainingRows) rows.
    private void Fit()
    {
        int n = _dnas.Count;
        _features.Refresh();
        var y = Targets();
        int draws = Math.Min(n, _trainingRows);
        var drawn = new int[n];
        _models = new GradientBoostedTrees[_ensembleSize];
        for (int m = 0; m < _ensembleSize; m++)
        {
            Array.Clear(drawn);
            for (int i = 0; i < draws; i++) drawn[Rng.Next(n)]++;
            int distinct = 0;
            for (int i = 0; i < n; i++) if (drawn[i] > 0) distinct++;
            var rows = new int[distinct];
            var weights = new int[distinct];
            for (int i = 0, k = 0; i < n; i++)
                if (drawn[i] > 0) { rows[k] = i; weights[k++] = drawn[i]; }
            var model = new GradientBoostedTrees(_trees, _depth, _learningRate, minLeaf: 2);
            model.Fit(_features, y, rows, weights);
            _models[m] = model;
        }
        _fittedOn = n;
    }
}
