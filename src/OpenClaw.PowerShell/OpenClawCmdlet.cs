using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace OpenClaw.PowerShell;

/// <summary>
/// Base class of the OpenClaw cmdlets: engine work runs on the thread pool with a cancellation token tied to Ctrl+C /
/// Stop-Job (<see cref="StopProcessing"/>); callbacks posted from that work run back on the pipeline thread, the only
/// thread allowed to call <c>Write*</c>.
/// </summary>
public abstract class OpenClawCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private BlockingCollection<Action>? _pump;

    /// <summary>Cancels running engine work (Ctrl+C, Stop-Job, pipeline stop).</summary>
    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="work"/> off the pipeline thread, pumping <see cref="Post"/>ed callbacks until it ends.</summary>
    /// <exception cref="PipelineStoppedException">The user stopped the pipeline.</exception>
    protected T RunAsync<T>(Func<CancellationToken, Task<T>> work)
    {
        var pump = new BlockingCollection<Action>();
        using var call = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _pump = pump;
        Task<T> task = Task.Run(() => work(call.Token), call.Token);
        task.ContinueWith(_ => pump.CompleteAdding(), TaskScheduler.Default);
        try
        {
            foreach (Action action in pump.GetConsumingEnumerable()) { action(); }
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            call.Cancel();
            _pump = null;
        }
    }

    /// <summary>Queues <paramref name="action"/> to run on the pipeline thread; only valid inside <see cref="RunAsync{T}"/>.</summary>
    protected void Post(Action action) =>
        (_pump ?? throw new InvalidOperationException("Post() is only valid inside RunAsync().")).Add(action);

    /// <summary>An <see cref="IProgress{T}"/> whose reports run <paramref name="handler"/> on the pipeline thread.</summary>
    protected IProgress<T> OnPipeline<T>(Action<T> handler) => new Relay<T>(v => Post(() => handler(v)));

    private sealed class Relay<T> : IProgress<T>
    {
        private readonly Action<T> _relay;

        public Relay(Action<T> relay) => _relay = relay;

        public void Report(T value) => _relay(value);
    }
}
