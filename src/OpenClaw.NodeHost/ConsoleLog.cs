using System;
using System.Globalization;
using OpenClaw.Node.Hosting;

namespace OpenClaw.NodeHost;

/// <summary>Writes engine log lines to stderr: <c>2026-11-22T04:50:00.123Z info  message</c>.</summary>
internal sealed class ConsoleLog : INodeLog
{
    private readonly NodeLogLevel _min;
    private readonly object _gate = new();

    public ConsoleLog(NodeLogLevel min) => _min = min;

    public void Write(NodeLogLevel level, string message)
    {
        if (level < _min) { return; }
        string tag = level switch
        {
            NodeLogLevel.Debug => "debug",
            NodeLogLevel.Info => "info ",
            NodeLogLevel.Warning => "warn ",
            _ => "error",
        };
        string line = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + " " + tag + " " + message;
        lock (_gate) { Console.Error.WriteLine(line); }
    }
}
