using System.IO.MemoryMappedFiles;
using System.Reflection;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Runtime.WorkerHost;

/// <summary>
/// One byte in a memory-mapped file that says which store write this process is in (0: none), so that a test that
/// SIGKILLs the process can read afterwards where the kill landed. The page outlives the process (it is the file's
/// page cache), and the test reads the file after the kill.
/// </summary>
public sealed class WriteFlag : IDisposable
{
    /// <summary>Codes written to the flag: the store operation under way.</summary>
    public static readonly IReadOnlyDictionary<string, byte> Codes = new Dictionary<string, byte>
    {
        ["OpenOrCreateStudy"] = 1, ["Claim"] = 2, ["FinishTrial"] = 3, ["AddMeasurement"] = 4,
        ["RenewLease"] = 5, ["ReleaseTrial"] = 6, ["SetMetadata"] = 7,
    };

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;

    public WriteFlag(string path)
    {
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.OpenOrCreate, null, 1);
        _view = _file.CreateViewAccessor(0, 1);
        Set(0);
    }

    public void Set(byte code) => _view.Write(0, code);

    /// <summary>The operation name of a code read back from the file ("none" for 0).</summary>
    public static string NameOf(byte code) => code == 0 ? "none" : Codes.FirstOrDefault(kv => kv.Value == code).Key ?? $"code {code}";

    /// <summary>
    /// Wraps <paramref name="store"/> so that every write (any member that is not a read: Get*, Find*, List*, Location,
    /// IsShared, Dispose) sets the flag for its duration. A proxy rather than a hand-written wrapper, so that members
    /// added to <see cref="IStudyStore"/> later are forwarded (and flagged) too.
    /// </summary>
    public IStudyStore Wrap(IStudyStore store)
    {
        var proxy = DispatchProxy.Create<IStudyStore, FlaggingProxy>();
        ((FlaggingProxy)(object)proxy).Init(store, this);
        return proxy;
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>Forwards every call; flags the writes.</summary>
    public class FlaggingProxy : DispatchProxy
    {
        private IStudyStore? _inner;
        private WriteFlag? _flag;

        internal void Init(IStudyStore inner, WriteFlag flag)
        {
            _inner = inner;
            _flag = flag;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            string name = targetMethod.Name;
            bool read = name.StartsWith("Get", StringComparison.Ordinal) || name.StartsWith("Find", StringComparison.Ordinal)
                || name.StartsWith("List", StringComparison.Ordinal) || name.StartsWith("get_", StringComparison.Ordinal) || name == "Dispose";
            if (!read) _flag!.Set(Codes.TryGetValue(name, out var code) ? code : (byte)99);
            try { return targetMethod.Invoke(_inner, args); }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
            finally
            {
                if (!read) _flag!.Set(0);
            }
        }
    }
}
