using System.Text.Json.Nodes;
using System.Threading.Channels;
using NetMQ;
using NetMQ.Sockets;

namespace NasNotebooks.Kernel;

/// <summary>Which socket a message arrived on or goes to.</summary>
internal enum KernelChannel
{
    Shell,
    Control,
    Stdin,
    IOPub,
}

/// <summary>
/// Owns the five ZeroMQ sockets. One poller thread does all socket I/O (NetMQ sockets are not
/// thread-safe): it decodes and verifies incoming frames, answers control requests through
/// <see cref="ControlHandler"/> and queues shell requests for a single worker; every outgoing
/// message goes through a queue drained by the poller, so any thread may send.
/// The heartbeat echoes on its own thread.
/// </summary>
internal sealed class KernelServer : IDisposable
{
    private readonly ConnectionInfo _connection;
    private readonly MessageSigner _signer;
    private readonly RouterSocket _shell = new();
    private readonly RouterSocket _control = new();
    private readonly RouterSocket _stdin = new();
    private readonly PublisherSocket _iopub = new();
    private readonly ResponseSocket _heartbeat = new();
    private readonly NetMQQueue<(KernelChannel Channel, JupyterMessage? Message)> _outgoing = new();
    private readonly NetMQPoller _poller;
    private readonly Channel<JupyterMessage> _shellQueue = Channel.CreateUnbounded<JupyterMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Thread? _heartbeatThread;
    private long _dropped;
    private int _queued;
    private int _handling;
    private long _lastShellDone;

    public KernelServer(ConnectionInfo connection)
    {
        _connection = connection;
        _signer = new MessageSigner(connection.Key);
        Session = Guid.NewGuid().ToString();
        foreach (var s in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
        {
            s.Options.Linger = TimeSpan.FromMilliseconds(500);
        }
        _shell.ReceiveReady += (_, e) => Drain(e.Socket, KernelChannel.Shell);
        _control.ReceiveReady += (_, e) => Drain(e.Socket, KernelChannel.Control);
        _stdin.ReceiveReady += (_, e) => Drain(e.Socket, KernelChannel.Stdin);
        _outgoing.ReceiveReady += (_, e) => FlushOutgoing();
        _poller = new NetMQPoller { _shell, _control, _stdin, _outgoing };
    }

    /// <summary>The kernel's session id used in every header it sends.</summary>
    public string Session { get; }

    public MessageSigner Signer => _signer;

    /// <summary>Number of messages dropped as malformed or badly signed.</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <summary>Handles a control message on the poller thread; must be quick.</summary>
    public Action<JupyterMessage>? ControlHandler { get; set; }

    /// <summary>Handles shell messages one at a time on the worker.</summary>
    public Func<JupyterMessage, Task>? ShellHandler { get; set; }

    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Shell requests received but not yet handled.</summary>
    public int QueuedShellMessages => Volatile.Read(ref _queued);

    /// <summary>True while a shell request is being handled or waits in the queue (background warm-up yields then).</summary>
    public bool ShellBusy => Volatile.Read(ref _handling) != 0 || Volatile.Read(ref _queued) > 0;

    /// <summary>When the last shell request finished (<see cref="Environment.TickCount64"/>; 0 before the first).</summary>
    public long LastShellRequestDone => Interlocked.Read(ref _lastShellDone);

    public void Bind()
    {
        _shell.Bind(_connection.Endpoint(_connection.ShellPort));
        _control.Bind(_connection.Endpoint(_connection.ControlPort));
        _stdin.Bind(_connection.Endpoint(_connection.StdinPort));
        _iopub.Bind(_connection.Endpoint(_connection.IopubPort));
        _heartbeat.Bind(_connection.Endpoint(_connection.HbPort));
    }

    /// <summary>Runs until <see cref="Stop"/>; blocks the calling thread.</summary>
    public void Run()
    {
        _heartbeatThread = new Thread(HeartbeatLoop) { IsBackground = true, Name = "jupyter-heartbeat" };
        _heartbeatThread.Start();
        var worker = Task.Run(ShellLoopAsync);
        _poller.Run();
        _stopping.Cancel();
        _shellQueue.Writer.TryComplete();
    }

    /// <summary>Sends a message on shell/control/stdin (to its identities) or publishes it on iopub. Thread-safe.</summary>
    public void Send(KernelChannel channel, JupyterMessage message) => _outgoing.Enqueue((channel, message));

    /// <summary>Publishes <paramref name="msgType"/> on iopub with <paramref name="parent"/> as parent header. Thread-safe.</summary>
    public void Publish(string msgType, JsonObject content, JupyterMessage? parent) =>
        Send(KernelChannel.IOPub, JupyterMessage.Create(msgType, Session, content, parent, identities: [System.Text.Encoding.UTF8.GetBytes(msgType)]));

    /// <summary>Replies to <paramref name="request"/> on the channel it came from. Thread-safe.</summary>
    public void Reply(KernelChannel channel, JupyterMessage request, string msgType, JsonObject content) =>
        Send(channel, JupyterMessage.Create(msgType, Session, content, request));

    /// <summary>Flushes what is queued, then stops the poller.</summary>
    public void Stop() => _outgoing.Enqueue((KernelChannel.IOPub, null));

    private void Drain(NetMQSocket socket, KernelChannel channel)
    {
        var frames = new List<byte[]>();
        for (int n = 0; n < 1000 && socket.TryReceiveMultipartBytes(TimeSpan.Zero, ref frames); n++)
        {
            if (channel == KernelChannel.Shell) LatencyTrace.Mark("received");
            try
            {
                if (!JupyterMessage.TryDecode(frames, _signer, out var message, out var error))
                {
                    Interlocked.Increment(ref _dropped);
                    Log.Warn($"dropped message on {channel.ToString().ToLowerInvariant()}: {Printable(error)}");
                    continue;
                }
                if (channel == KernelChannel.Shell) LatencyTrace.Mark("decoded");
                Log.Debug($"{channel}: {message!.MsgType}");
                switch (channel)
                {
                    case KernelChannel.Shell:
                        Interlocked.Increment(ref _queued);
                        if (!_shellQueue.Writer.TryWrite(message))
                        {
                            Interlocked.Decrement(ref _queued);
                        }
                        break;
                    case KernelChannel.Control:
                        ControlHandler?.Invoke(message);
                        break;
                    default:
                        // input_reply: raw_input is not supported, nothing waits for it.
                        break;
                }
            }
            catch (Exception e)
            {
                Log.Warn($"error handling {channel} message: {e}");
            }
            frames.Clear();
        }
    }

    private static string Printable(string s)
    {
        var chars = s.Take(200).Select(c => char.IsControl(c) || c == '\uFFFD' ? '?' : c).ToArray();
        return new string(chars) + (s.Length > 200 ? "..." : "");
    }

    private async Task ShellLoopAsync()
    {
        await foreach (var message in _shellQueue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Interlocked.Increment(ref _handling);
            Interlocked.Decrement(ref _queued);
            LatencyTrace.Mark("dequeued");
            try
            {
                if (ShellHandler is { } h)
                {
                    await h(message).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                Log.Warn($"error handling shell {message.MsgType}: {e}");
            }
            finally
            {
                Interlocked.Exchange(ref _lastShellDone, Environment.TickCount64);
                Interlocked.Decrement(ref _handling);
            }
        }
    }

    private void FlushOutgoing()
    {
        while (_outgoing.TryDequeue(out var item, TimeSpan.Zero))
        {
            if (item.Message is null)
            {
                _poller.StopAsync();
                return;
            }
            try
            {
                var socket = item.Channel switch
                {
                    KernelChannel.Shell => (NetMQSocket)_shell,
                    KernelChannel.Control => _control,
                    KernelChannel.Stdin => _stdin,
                    _ => _iopub,
                };
                socket.SendMultipartBytes(item.Message.Encode(_signer));
                if (LatencyTrace.On)
                {
                    var state = item.Message.MsgType == "status" ? item.Message.Content["execution_state"]?.ToString() : null;
                    LatencyTrace.Mark("sent:" + (state ?? item.Message.MsgType));
                    if (state == "idle")
                    {
                        LatencyTrace.Flush();
                    }
                }
            }
            catch (Exception e)
            {
                Log.Warn($"failed to send {item.Message.MsgType}: {e.Message}");
            }
        }
    }

    private void HeartbeatLoop()
    {
        var frames = new List<byte[]>();
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                if (_heartbeat.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(200), ref frames))
                {
                    _heartbeat.SendMultipartBytes(frames);
                    frames.Clear();
                }
            }
            catch (Exception e) when (e is NetMQException or ObjectDisposedException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                Log.Warn("heartbeat: " + e.Message);
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _heartbeatThread?.Join(1000);
        _poller.Dispose();
        _outgoing.Dispose();
        foreach (var s in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
        {
            s.Dispose();
        }
    }
}
