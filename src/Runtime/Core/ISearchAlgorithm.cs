using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime;

/// <summary>
/// A search algorithm (PyGlove's <c>DNAGenerator</c>): proposes DNAs of a <see cref="SpaceSpec"/> and
/// learns from their rewards. Algorithms see only DNA specs and DNAs, never the user's objects, so
/// any algorithm works with any space. Implementations are seeded and deterministic: the same
/// sequence of calls gives the same proposals.
/// </summary>
public interface ISearchAlgorithm
{
    /// <summary>Short name used in displays and study records (e.g. <c>evolution</c>).</summary>
    string Name { get; }

    /// <summary>Prepares the algorithm for a space; called once before the first proposal.</summary>
    void Setup(SpaceSpec spec);

    /// <summary>Proposes the next DNA to evaluate.</summary>
    /// <exception cref="SearchSpaceExhaustedException">No more DNAs (e.g. a finished grid).</exception>
    Dna Propose();

    /// <summary>Reports the reward of a proposed DNA (in any order relative to other proposals).</summary>
    void Feedback(Dna dna, Reward reward);

    /// <summary>
    /// Rebuilds the state after a restart from the trials already finished, in their proposal order.
    /// The default replays <see cref="Propose"/> and <see cref="Feedback"/> so that a seeded
    /// algorithm continues exactly as an uninterrupted run would.
    /// </summary>
    void Recover(IEnumerable<(Dna Dna, Reward Reward)> history)
    {
        foreach (var (dna, reward) in history)
        {
            Propose();
            Feedback(dna, reward);
        }
    }
}

/// <summary>Thrown by <see cref="ISearchAlgorithm.Propose"/> when the algorithm has nothing left to propose.</summary>
public sealed class SearchSpaceExhaustedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public SearchSpaceExhaustedException(string message) : base(message) { }
}
