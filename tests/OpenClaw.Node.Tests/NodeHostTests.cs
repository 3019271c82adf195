using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using Xunit;

namespace OpenClaw.Node.Tests;

public sealed class NodeHostTests
{
    private static int ClosedPort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Unreachable_gateway_is_retried_with_bounded_exponential_backoff_until_cancelled()
    {
        using var dir = new TempDir();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var progress = new StatusCollector(cts, seen => seen.Count(s => s.State == NodeConnectionState.Reconnecting) >= 8);
        var host = new NodeHost(new NodeHostOptions
        {
            StateDirectory = dir.Path,
            Port = ClosedPort(),
            GatewayToken = "t",
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
            HostStatsInterval = TimeSpan.Zero,
        });
        int exit = await host.RunAsync(progress, cts.Token);
        Assert.Equal(NodeHostExitCodes.Stopped, exit);
        var retries = progress.Seen.Where(s => s.State == NodeConnectionState.Reconnecting).Select(s => s.RetryIn!.Value).ToList();
        Assert.True(retries.Count >= 8);
        Assert.All(retries, d => Assert.InRange(d.TotalMilliseconds, 1, 400));
        Assert.True(retries.Skip(3).Max() > retries[0], "the delay should grow from the first retry");
        Assert.Contains("Could not connect to the gateway", progress.Seen.First(s => s.State == NodeConnectionState.Reconnecting).Message);
        Assert.Equal(NodeConnectionState.Stopped, progress.Seen.Last().State);
        Assert.True(File.Exists(Path.Combine(dir.Path, "identity", "device.json")));
    }

    [Fact]
    public async Task Insecure_plaintext_to_a_public_host_fails_with_78_before_connecting()
    {
        using var dir = new TempDir();
        var progress = new StatusCollector(new CancellationTokenSource(), _ => false);
        int exit = await new NodeHost(new NodeHostOptions { StateDirectory = dir.Path, Host = "gateway.example.com", AllowInsecurePrivate = false }).RunAsync(progress, default);
        Assert.Equal(NodeHostExitCodes.Configuration, exit);
        NodeHostStatus failed = Assert.Single(progress.Seen);
        Assert.Equal(NodeConnectionState.Failed, failed.State);
        Assert.Contains("Refusing plaintext ws://", failed.Message);
    }

    [Fact]
    public async Task A_bad_fingerprint_fails_with_78()
    {
        using var dir = new TempDir();
        int exit = await new NodeHost(new NodeHostOptions { StateDirectory = dir.Path, Tls = true, TlsFingerprint = "nope" }).RunAsync(null, default);
        Assert.Equal(NodeHostExitCodes.Configuration, exit);
    }

    [Fact]
    public async Task A_second_host_on_the_same_state_directory_is_refused_with_78()
    {
        using var dir = new TempDir();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var firstRunning = new TaskCompletionSource();
        var first = new NodeHost(new NodeHostOptions
        {
            StateDirectory = dir.Path, Port = ClosedPort(), GatewayToken = "t", HostStatsInterval = TimeSpan.Zero,
            ReconnectInitialDelay = TimeSpan.FromSeconds(5), ReconnectMaxDelay = TimeSpan.FromSeconds(5),
        });
        Task<int> running = first.RunAsync(new StatusCollector(cts, seen =>
        {
            if (seen.Any(s => s.State == NodeConnectionState.Reconnecting)) { firstRunning.TrySetResult(); }
            return false;
        }), cts.Token);
        await firstRunning.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var seen2 = new StatusCollector(new CancellationTokenSource(), _ => false);
        int second = await new NodeHost(new NodeHostOptions { StateDirectory = dir.Path, Port = ClosedPort(), GatewayToken = "t" }).RunAsync(seen2, default);
        Assert.Equal(NodeHostExitCodes.Configuration, second);
        Assert.Contains("Another node host is already running", Assert.Single(seen2.Seen).Message);

        cts.Cancel();
        Assert.Equal(NodeHostExitCodes.Stopped, await running);
        Assert.False(File.Exists(Path.Combine(dir.Path, "node.lock")));
    }
}
