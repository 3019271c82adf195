using System;
using System.Collections.Generic;
using System.Threading;
using OpenClaw.Node.Hosting;

namespace OpenClaw.Node.Tests;

/// <summary>Collects a node host's status reports and cancels the run once <c>stopWhen</c> holds for what it has seen.</summary>
internal sealed class StatusCollector : IProgress<NodeHostStatus>
{
    private readonly Func<List<NodeHostStatus>, bool> _stopWhen;
    private readonly CancellationTokenSource _cts;

    public StatusCollector(CancellationTokenSource cts, Func<List<NodeHostStatus>, bool> stopWhen)
    {
        _cts = cts;
        _stopWhen = stopWhen;
    }

    public List<NodeHostStatus> Seen { get; } = new();

    public void Report(NodeHostStatus value)
    {
        lock (Seen)
        {
            Seen.Add(value);
            if (_stopWhen(Seen)) { _cts.Cancel(); }
        }
    }
}
