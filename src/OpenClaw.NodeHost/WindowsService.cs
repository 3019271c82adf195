using System;
using System.Runtime.Versioning;
using System.ServiceProcess;
using System.Threading;
using System.Threading.Tasks;

namespace OpenClaw.NodeHost;

/// <summary>
/// <c>openclaw-node run --windows-service</c>: the node host under the Windows Service Control Manager (the boot-start
/// service that <c>Install-OpenClawNode -Scope System</c> registers). The SCM needs the process to register with it
/// within 30 s (else error 1053); <see cref="ServiceBase"/> does that, the host runs on a worker task, a service stop
/// cancels it (clean close to the gateway, exit code 0), and a fatal host error stops the service with the host's exit
/// code (77/78), which the service's recovery actions do not restart (failure flag set on non-zero exits only for
/// crashes the SCM sees). Elsewhere the flag is ignored so the same command line runs in the foreground.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class NodeWindowsService : ServiceBase
{
    private readonly Func<CancellationToken, Task<int>> _run;
    private readonly CancellationTokenSource _stop = new();
    private Task<int>? _host;
    private volatile bool _stopping;

    public NodeWindowsService(Func<CancellationToken, Task<int>> run)
    {
        _run = run;
        ServiceName = "openclaw-node";
        CanStop = true;
        CanShutdown = true;
        AutoLog = true;
    }

    /// <summary>The host's exit code once the service has stopped.</summary>
    public int HostExitCode { get; private set; }

    /// <summary>Runs the service until the SCM stops it or the host ends; returns the host's exit code.</summary>
    public static int RunService(Func<CancellationToken, Task<int>> run)
    {
        using var service = new NodeWindowsService(run);
        Run(service);
        return service.HostExitCode;
    }

    protected override void OnStart(string[] args)
    {
        _host = Task.Run(() => _run(_stop.Token));
        _host.ContinueWith(t =>
        {
            HostExitCode = t.IsFaulted ? 1 : t.Result;
            ExitCode = HostExitCode;
            if (!_stopping) { Stop(); }
        }, TaskScheduler.Default);
    }

    protected override void OnStop() => StopHost();

    protected override void OnShutdown() => StopHost();

    private void StopHost()
    {
        _stopping = true;
        _stop.Cancel();
        try { _host?.Wait(TimeSpan.FromSeconds(20)); }
        catch (AggregateException) { }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _stop.Dispose(); }
        base.Dispose(disposing);
    }
}
