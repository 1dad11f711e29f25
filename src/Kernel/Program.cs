using System.Runtime.InteropServices;

namespace NasNotebooks.Kernel;

/// <summary>Entry point of the <c>nasnotebooks</c> tool (the Jupyter kernel, study workers, notebook conversion).</summary>
public static class Program
{
    /// <summary>Runs the <c>nasnotebooks</c> command line (<see cref="Cli.NasCommandLine"/>); returns the process exit code.</summary>
    public static int Main(string[] args) => Cli.NasCommandLine.Run(args);

    /// <summary>Stops the kernel when the process that launched it (JPY_PARENT_PID, set by jupyter_client) is gone.</summary>
    private static void WatchParent(KernelServer server)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("JPY_PARENT_PID"), out var pid) || pid <= 1)
        {
            return;
        }
        var thread = new Thread(() =>
        {
            while (!server.Stopping.IsCancellationRequested)
            {
                if (!ProcessAlive(pid))
                {
                    Log.Warn($"parent process {pid} is gone; shutting down");
                    server.Stop();
                    return;
                }
                server.Stopping.WaitHandle.WaitOne(TimeSpan.FromSeconds(2));
            }
        })
        { IsBackground = true, Name = "parent-watch" };
        thread.Start();
    }

    private static bool ProcessAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Runs the kernel on a connection file until shutdown; SIGINT interrupts the running cell, SIGTERM stops the kernel.</summary>
    internal static int RunKernel(string connectionFile, bool restartInProcess)
    {
        var info = ConnectionInfo.Load(connectionFile);
        using var server = new KernelServer(info);
        server.Bind();
        var host = new KernelHost(server, Nas.KernelMagics.CreateDefault(), restartInProcess);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            host.Interrupt();
        });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            server.Stop();
        });
        host.Start();
        WatchParent(server);
        server.Run();
        Log.Debug("kernel stopped");
        return 0;
    }
}
