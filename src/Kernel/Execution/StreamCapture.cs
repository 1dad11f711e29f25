using System.Text;

namespace NasNotebooks.Kernel;

/// <summary>
/// A TextWriter that buffers text and publishes it as a Jupyter stream message at most every
/// <see cref="Interval"/> (so output appears live), when the buffer grows large, and on Flush.
/// </summary>
internal sealed class StreamCapture : TextWriter
{
    private readonly string _name;
    private readonly Action<string, string> _publish;
    private readonly StringBuilder _buffer = new();
    private readonly object _gate = new();
    private readonly Timer _timer;
    private bool _timerArmed;

    public StreamCapture(string name, Action<string, string> publish)
    {
        _name = name;
        _publish = publish;
        _timer = new Timer(_ => Flush(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public static TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(100);

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _buffer.Append(value);
            Arm();
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        lock (_gate)
        {
            _buffer.Append(value);
            Arm();
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            _buffer.Append(buffer, index, count);
            Arm();
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            _buffer.Append(buffer);
            Arm();
        }
    }

    private void Arm()
    {
        if (_buffer.Length > 64 * 1024)
        {
            FlushLocked();
            return;
        }
        if (!_timerArmed)
        {
            _timerArmed = true;
            _timer.Change(Interval, Timeout.InfiniteTimeSpan);
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            FlushLocked();
        }
    }

    private void FlushLocked()
    {
        _timerArmed = false;
        if (_buffer.Length == 0)
        {
            return;
        }
        var text = _buffer.ToString();
        _buffer.Clear();
        try
        {
            _publish(_name, text);
        }
        catch (Exception e)
        {
            Log.Warn($"could not publish {_name}: {e.Message}");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
            _timer.Dispose();
        }
        base.Dispose(disposing);
    }
}
