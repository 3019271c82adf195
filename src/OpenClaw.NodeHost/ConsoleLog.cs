using System;
using System.Globalization;
using OpenClaw.Node.Hosting;

namespace OpenClaw.NodeHost;

/// <summary>
/// Writes engine log lines to stderr: <c>2026-11-22T04:50:00.123Z info  message</c>; under systemd, when stderr is the
/// journal (<c>JOURNAL_STREAM</c> set), <c>&lt;6&gt;message</c> lines with the syslog priority journald parses
/// (<see cref="JournalFormat"/>). Secrets are removed by the host's <see cref="NodeLogPipeline"/> before they get here.
/// </summary>
internal sealed class ConsoleLog : INodeLog, INodeLogFilter
{
    private readonly NodeLogLevel _min;
    private readonly bool _journal;
    private readonly object _gate = new();

    public ConsoleLog(NodeLogLevel min, bool? journal = null)
    {
        _min = min;
        _journal = journal ?? JournalFormat.IsJournalStream;
    }

    public bool IsEnabled(NodeLogLevel level) => level >= _min;

    public void Write(NodeLogLevel level, string message)
    {
        if (level < _min) { return; }
        string line = _journal ? JournalFormat.Format(level, message) : Format(DateTime.UtcNow, level, message);
        lock (_gate) { Console.Error.WriteLine(line); }
    }

    /// <summary>The plain (terminal) form of a line.</summary>
    internal static string Format(DateTime utc, NodeLogLevel level, string message)
    {
        string tag = level switch
        {
            NodeLogLevel.Debug => "debug",
            NodeLogLevel.Info => "info ",
            NodeLogLevel.Warning => "warn ",
            _ => "error",
        };
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + " " + tag + " " + message;
    }
}
