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

/// <summary>A log that discards everything.</summary>
public sealed class NullNodeLog : INodeLog
{
    /// <summary>The shared instance.</summary>
    public static readonly NullNodeLog Instance = new();

    /// <inheritdoc />
    public void Write(NodeLogLevel level, string message) { }
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
