using System;

namespace OpenClaw.Node.Hosting;

/// <summary>Severity of an engine log line.</summary>
public enum NodeLogLevel
{
    /// <summary>Protocol detail (frames, timings).</summary>
    Debug,
    /// <summary>What the host does (connecting, serving, invocations).</summary>
    Info,
    /// <summary>Surprising but handled (malformed frame, retry).</summary>
    Warning,
    /// <summary>A failure that stops the host or an operation.</summary>
    Error,
}

/// <summary>
/// Where the engine writes log lines. The engine never writes to the console; the host executable sends these to
/// stderr and the cmdlets to the Verbose/Debug/Warning streams. Messages never contain tokens or private keys.
/// </summary>
public interface INodeLog
{
    /// <summary>Writes one line.</summary>
    void Write(NodeLogLevel level, string message);
}

/// <summary>
/// A log that can say which levels it keeps, so a caller (the host's <see cref="NodeLogPipeline"/>) skips building and
/// scrubbing lines nobody would keep (the per-invocation debug line, for example). Optional: a log without it receives
/// every line and filters by itself.
/// </summary>
public interface INodeLogFilter
{
    /// <summary>True when a line at <paramref name="level"/> would be kept.</summary>
    bool IsEnabled(NodeLogLevel level);
}

/// <summary>A log that discards everything.</summary>
public sealed class NullNodeLog : INodeLog, INodeLogFilter
{
    /// <summary>The shared instance.</summary>
    public static readonly NullNodeLog Instance = new();

    /// <inheritdoc />
    public void Write(NodeLogLevel level, string message) { }

    /// <summary>Always false: nothing is kept.</summary>
    public bool IsEnabled(NodeLogLevel level) => false;
}

/// <summary>A log that forwards to a delegate.</summary>
public sealed class DelegateNodeLog : INodeLog
{
    private readonly Action<NodeLogLevel, string> _write;

    /// <summary>Wraps <paramref name="write"/>.</summary>
    public DelegateNodeLog(Action<NodeLogLevel, string> write) => _write = write;

    /// <inheritdoc />
    public void Write(NodeLogLevel level, string message) => _write(level, message);
}
