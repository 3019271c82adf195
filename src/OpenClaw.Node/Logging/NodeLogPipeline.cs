using System;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// The host's log: every line is scrubbed of secrets (<see cref="Redactor"/>), then goes to the primary log (console,
/// PowerShell streams; it filters by its own level) and, at <see cref="Level"/> or above, to the added sinks (rotating
/// file, Windows Event Log). A failing sink never fails the host.
/// </summary>
public sealed class NodeLogPipeline : INodeLog, INodeLogFilter, IDisposable
{
    private readonly INodeLog _primary;
    private readonly object _gate = new();
    private INodeLog[] _sinks = Array.Empty<INodeLog>();

    /// <summary>Creates the pipeline over <paramref name="primary"/>.</summary>
    public NodeLogPipeline(INodeLog primary, NodeLogLevel level = NodeLogLevel.Info)
    {
        _primary = primary;
        Level = level;
    }

    /// <summary>The minimum level for the added sinks.</summary>
    public NodeLogLevel Level { get; set; }

    /// <summary>The secret scrubber applied to every line.</summary>
    public LogRedactor Redactor { get; } = new();

    /// <summary>Adds a sink (receives lines at <see cref="Level"/> or above, already scrubbed).</summary>
    public void AddSink(INodeLog sink)
    {
        lock (_gate)
        {
            var next = new INodeLog[_sinks.Length + 1];
            Array.Copy(_sinks, next, _sinks.Length);
            next[_sinks.Length] = sink;
            _sinks = next;
        }
    }

    /// <summary>
    /// True when some log keeps a line at <paramref name="level"/>: the sinks (at <see cref="Level"/> or above) or the
    /// primary log (always, unless it is an <see cref="INodeLogFilter"/> that says no). Lines nobody keeps are dropped
    /// before they are scrubbed.
    /// </summary>
    public bool IsEnabled(NodeLogLevel level) =>
        (level >= Level && _sinks.Length > 0) || _primary is not INodeLogFilter filter || filter.IsEnabled(level);

    /// <inheritdoc />
    public void Write(NodeLogLevel level, string message)
    {
        if (!IsEnabled(level)) { return; }
        string clean = Redactor.Scrub(message);
        if (_primary is not INodeLogFilter filter || filter.IsEnabled(level)) { _primary.Write(level, clean); }
        if (level < Level) { return; }
        foreach (INodeLog sink in _sinks)
        {
            try { sink.Write(level, clean); }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception or System.Security.SecurityException)
            {
                // A full disk or a vanished event source must not stop the node; the primary log still has the line.
            }
        }
    }

    /// <summary>Closes the sinks that hold resources.</summary>
    public void Dispose()
    {
        INodeLog[] sinks;
        lock (_gate) { sinks = _sinks; _sinks = Array.Empty<INodeLog>(); }
        foreach (INodeLog s in sinks) { (s as IDisposable)?.Dispose(); }
    }
}
