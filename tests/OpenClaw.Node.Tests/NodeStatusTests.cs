using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Service;
using OpenClaw.Node.State;
using OpenClaw.Node.Status;
using Xunit;

namespace OpenClaw.Node.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeStatusTests
{
    private const string DeviceId = "0ea589a0ebdb16b85e560531e03f3a117216ffffe32a11d6b08ba832cc2f11b2";

    /// <summary>A status as this test process would publish it: the pid and start time are real, so the reader verifies them.</summary>
    private static NodeStatusFile ThisProcess(string state, DateTimeOffset heartbeat)
    {
        (DateTimeOffset? started, long? ticks) = ProcessProbe.Current();
        return new NodeStatusFile
        {
            Pid = Environment.ProcessId,
            ProcessStartedAt = started,
            ProcessStartTicks = ticks,
            HostVersion = "0.1.0",
            DeviceId = DeviceId,
            DisplayName = "unit",
            GatewayUrl = "wss://gw.example.com:18789/",
            Tls = true,
            TlsFingerprint = new string('a', 64),
            State = state,
            StateSince = heartbeat,
            Message = "m",
            ConnectedSince = state is "Connected" or "AwaitingApproval" ? heartbeat.AddMinutes(-5) : null,
            DeviceApproved = state == "PairingRequired" ? false : true,
            CommandSurfaceApproved = state == "AwaitingApproval" ? false : state == "Connected" ? true : null,
            PendingRequestId = state == "PairingRequired" ? "req-1" : null,
            HeartbeatAt = heartbeat,
        };
    }

    private static void Write(TempDir dir, NodeStatusFile file) => SecureFile.WriteAllText(dir.Combine(NodeStatusFile.FileName), file.ToJson());

    [Fact]
    public void No_state_directory_reads_as_not_running_and_never_throws()
    {
        string missing = Path.Combine(Path.GetTempPath(), "oc-missing-" + Guid.NewGuid().ToString("N"));
        NodeStatus s = NodeStatusReader.Read(missing);
        Assert.Equal(NodeHostState.NotRunning, s.Host.State);
        Assert.False(s.Connected);
        Assert.False(s.Healthy);
        Assert.Equal(3, s.ExitCode);
        Assert.Contains("No node host has run", s.Summary);
        Assert.False(s.Service.Installed);
        Assert.Equal(ExecSecurity.Full, s.Policy.Security);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void Running_connected_host_with_a_fresh_heartbeat_is_healthy()
    {
        using var dir = new TempDir();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Write(dir, ThisProcess("Connected", now));
        NodeStatus s = NodeStatusReader.Read(dir.Path, now: now.AddSeconds(20));
        Assert.Equal(NodeHostState.Running, s.Host.State);
        Assert.True(s.Connected);
        Assert.True(s.Healthy);
        Assert.Equal(0, s.ExitCode);
        Assert.Equal(NodeConnectionState.Connected, s.Connection.State);
        Assert.Equal(now.AddMinutes(-5).ToUnixTimeMilliseconds(), s.Connection.Since!.Value.ToUnixTimeMilliseconds());
        Assert.Equal("wss://gw.example.com:18789/", s.Gateway.Url);
        Assert.Equal(new string('a', 64), s.Gateway.TlsFingerprint);
        Assert.True(s.Pairing.DeviceApproved);
        Assert.True(s.Pairing.CommandSurfaceApproved);
        Assert.NotNull(s.Host.Uptime);
        Assert.StartsWith("Healthy:", s.Summary);
    }

    [Fact]
    public void A_heartbeat_older_than_three_intervals_is_unresponsive_never_connected()
    {
        using var dir = new TempDir();
        DateTimeOffset beat = DateTimeOffset.UtcNow;
        Write(dir, ThisProcess("Connected", beat));
        Assert.True(NodeStatusReader.Read(dir.Path, now: beat.AddSeconds(44)).Connected);
        NodeStatus s = NodeStatusReader.Read(dir.Path, now: beat.AddSeconds(46));
        Assert.Equal(NodeHostState.Unresponsive, s.Host.State);
        Assert.False(s.Host.Running);
        Assert.False(s.Connected);
        Assert.False(s.Healthy);
        Assert.Null(s.Connection.State);
        Assert.Equal(NodeConnectionState.Connected, s.Connection.LastKnownState);
        Assert.Equal(3, s.ExitCode);
        Assert.Contains("has not refreshed its status", s.Summary);
    }

    [Fact]
    public void A_dead_pid_is_detected()
    {
        using var dir = new TempDir();
        using Process child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        child.WaitForExit();
        NodeStatusFile file = ThisProcess("Connected", DateTimeOffset.UtcNow);
        file.Pid = child.Id;
        Write(dir, file);
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.Dead, s.Host.State);
        Assert.False(s.Connected);
        Assert.False(s.Healthy);
        Assert.Contains("is gone", s.Summary);
        Assert.Equal(child.Id, s.Host.ProcessId);
    }

    [Fact]
    public void A_reused_pid_is_detected_by_the_process_start_time()
    {
        using var dir = new TempDir();
        NodeStatusFile file = ThisProcess("Connected", DateTimeOffset.UtcNow);
        file.ProcessStartedAt = file.ProcessStartedAt!.Value.AddMinutes(-10);
        file.ProcessStartTicks = file.ProcessStartTicks is long t ? t - 60000 : null;
        Write(dir, file);
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.Dead, s.Host.State);
        Assert.False(s.Connected);
        Assert.Contains("belongs to another process", s.Host.Reason);
    }

    [Fact]
    public void A_clean_stop_is_stopped_even_while_the_process_lives_on()
    {
        // Start-OpenClawNode: the pid is the PowerShell process, which outlives the host.
        using var dir = new TempDir();
        NodeStatusFile file = ThisProcess("Stopped", DateTimeOffset.UtcNow);
        file.ExitCode = 0;
        Write(dir, file);
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.Stopped, s.Host.State);
        Assert.False(s.Connected);
        Assert.Equal(0, s.Host.ExitCode);
        Assert.Contains("stopped on request", s.Summary);
    }

    [Fact]
    public void A_failed_host_reports_its_exit_code_and_error()
    {
        using var dir = new TempDir();
        NodeStatusFile file = ThisProcess("Failed", DateTimeOffset.UtcNow);
        file.ExitCode = 77;
        file.LastErrorMessage = "The gateway rejected the shared token.";
        file.LastErrorKind = "AuthFailed";
        Write(dir, file);
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.Failed, s.Host.State);
        Assert.Contains("exit code 77", s.Summary);
        Assert.Contains("rejected the shared token", s.Summary);
        Assert.Equal("AuthFailed", s.Connection.LastErrorKind);
    }

    [Fact]
    public void Awaiting_command_approval_is_connected_but_not_healthy()
    {
        using var dir = new TempDir();
        Write(dir, ThisProcess("AwaitingApproval", DateTimeOffset.UtcNow));
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.True(s.Connected);
        Assert.False(s.Healthy);
        Assert.Equal(1, s.ExitCode);
        Assert.False(s.Pairing.CommandSurfaceApproved);
        Assert.Contains("openclaw nodes approve", s.Summary);
    }

    [Fact]
    public void Pending_device_pairing_shows_the_request_id()
    {
        using var dir = new TempDir();
        Write(dir, ThisProcess("PairingRequired", DateTimeOffset.UtcNow));
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.False(s.Connected);
        Assert.True(s.Host.Running);
        Assert.False(s.Pairing.DeviceApproved);
        Assert.Equal("req-1", s.Pairing.PendingRequestId);
        Assert.Contains("openclaw devices approve req-1", s.Summary);
        Assert.Equal(1, s.ExitCode);
    }

    [Theory]
    [InlineData("{\"version\":1,\"pid\":12,\"st")]
    [InlineData("not json at all")]
    [InlineData("[]")]
    [InlineData("{\"version\":2,\"pid\":12,\"state\":\"Connected\"}")]
    [InlineData("{\"version\":1,\"state\":\"Connected\"}")]
    public void A_corrupt_status_file_reads_as_unknown_with_the_reason(string text)
    {
        using var dir = new TempDir();
        SecureFile.WriteAllText(dir.Combine(NodeStatusFile.FileName), text);
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.Unknown, s.Host.State);
        Assert.False(s.Connected);
        Assert.Contains(NodeStatusFile.FileName, s.Host.StatusFileError);
        Assert.Contains("unusable", s.Summary);
    }

    [Fact]
    public void An_other_writable_or_symlinked_status_file_is_refused_not_thrown()
    {
        using var dir = new TempDir();
        Write(dir, ThisProcess("Connected", DateTimeOffset.UtcNow));
        File.SetUnixFileMode(dir.Combine(NodeStatusFile.FileName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.Unknown, s.Host.State);
        Assert.False(s.Connected);
        Assert.Contains("writable by other users", s.Host.StatusFileError);

        using var dir2 = new TempDir();
        File.WriteAllText(dir2.Combine("elsewhere.json"), ThisProcess("Connected", DateTimeOffset.UtcNow).ToJson());
        File.CreateSymbolicLink(dir2.Combine(NodeStatusFile.FileName), dir2.Combine("elsewhere.json"));
        NodeStatus s2 = NodeStatusReader.Read(dir2.Path);
        Assert.Equal(NodeHostState.Unknown, s2.Host.State);
        Assert.False(s2.Connected);
    }

    [Fact]
    public void Without_a_status_file_the_saved_gateway_and_stored_token_are_reported_but_never_the_token()
    {
        using var dir = new TempDir();
        var store = new NodeStateStore(dir.Path);
        NodeConfig config = NodeConfig.CreateNew();
        config.Token = "secret-device-token-value";
        config.Gateway = new GatewaySettings { Host = "gw.lan", Port = 18790 };
        store.SaveConfig(config);
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.NotRunning, s.Host.State);
        Assert.Equal("ws://gw.lan:18790/", s.Gateway.Url);
        Assert.True(s.Pairing.DeviceTokenStored);
        Assert.True(s.Pairing.DeviceApproved);
        Assert.DoesNotContain("secret-device-token-value", Json.Serialize(s.ToJson()));
        Assert.DoesNotContain("secret-device-token-value", s.ToString());
    }

    [Fact]
    public void An_unusable_exec_approvals_file_makes_the_node_unhealthy()
    {
        using var dir = new TempDir();
        Write(dir, ThisProcess("Connected", DateTimeOffset.UtcNow));
        SecureFile.WriteAllText(dir.Combine("exec-approvals.json"), "{ broken");
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.True(s.Connected);
        Assert.False(s.Healthy);
        Assert.NotNull(s.Policy.Error);
        Assert.Null(s.Policy.Security);
        Assert.Contains("exec-approvals file is unusable", s.Summary);
        Assert.Contains("Every command is denied", s.Summary);
    }

    [Fact]
    public void The_policy_is_the_effective_one_of_the_main_agent()
    {
        using var dir = new TempDir();
        SecureFile.WriteAllText(dir.Combine("exec-approvals.json"),
            "{\"version\":1,\"defaults\":{\"security\":\"allowlist\",\"ask\":\"on-miss\"},\"agents\":{\"main\":{\"ask\":\"always\"}}}");
        NodeStatus s = NodeStatusReader.Read(dir.Path);
        Assert.Equal(ExecSecurity.Allowlist, s.Policy.Security);
        Assert.Equal(ExecAsk.Always, s.Policy.Ask);
        Assert.Equal("defaults.security", s.Policy.Source);
        Assert.Equal("allowlist", s.ToJson()["policy"].Str("security"));
    }

    private sealed class FixedProbe : INodeServiceProbe
    {
        public string? AskedFor { get; private set; }

        public NodeServiceState Query(string stateDirectory)
        {
            AskedFor = stateDirectory;
            return new NodeServiceState { Installed = true, Manager = NodeServiceManager.Systemd, Name = "openclaw-node.service", Scope = "User" };
        }
    }

    [Fact]
    public void The_service_probe_is_asked_for_the_resolved_state_directory()
    {
        using var dir = new TempDir();
        var probe = new FixedProbe();
        NodeStatus s = NodeStatusReader.Read(dir.Path, probe);
        Assert.Equal(Path.GetFullPath(dir.Path), probe.AskedFor);
        Assert.True(s.Service.Installed);
        Assert.Contains("installed but not running", s.Summary);
        Assert.Equal("Systemd", s.ToJson()["service"].Str("manager"));
    }

    [Theory]
    [InlineData("1234 (openclaw-node) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 8 0 987654 0 0", 987654L, false)]
    [InlineData("1234 (a b) (c)) Z 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 8 0 42 0 0", 42L, true)]
    public void Proc_stat_start_ticks_are_parsed_after_the_last_parenthesis(string line, long ticks, bool zombie)
    {
        Assert.Equal(ticks, ProcessProbe.ParseStat(line, out bool z));
        Assert.Equal(zombie, z);
    }

    [Fact]
    public void The_publisher_writes_an_owner_only_file_the_reader_understands()
    {
        using var dir = new TempDir();
        using (var pub = new NodeStatusPublisher(dir.Path, TimeSpan.FromSeconds(15), NullNodeLog.Instance))
        {
            pub.SetIdentity(DeviceId, "unit", "ws://127.0.0.1:1/", false, null);
            pub.OnAttemptFailed("Could not connect.", "Unreachable");
            pub.OnState(NodeConnectionState.Connected, "Connected.", null, null);
            pub.OnDisconnected("Disconnected from the gateway (1012 service restart).");
            pub.OnState(NodeConnectionState.Reconnecting, "Reconnecting.", null, null);
            pub.OnAttemptFailed("Could not connect again.", "Unreachable");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pub.FilePath));
            NodeStatus s = NodeStatusReader.Read(dir.Path);
            Assert.True(s.Host.Running);
            Assert.False(s.Connected);
            Assert.Equal(NodeConnectionState.Reconnecting, s.Connection.State);
            Assert.Equal(1, s.Connection.ReconnectAttempts);
            Assert.Equal(1, s.Connection.Disconnects);
            Assert.Equal("Could not connect again.", s.Connection.LastError);
            Assert.Equal(Environment.ProcessId, s.Host.ProcessId);
            Assert.Equal(NodeHost.Version, s.Host.Version);

            pub.OnState(NodeConnectionState.Connected, "Connected.", null, null);
            s = NodeStatusReader.Read(dir.Path);
            Assert.True(s.Connected);
            Assert.Equal(0, s.Connection.ReconnectAttempts);
            Assert.Equal("Could not connect again.", s.Connection.LastError);
            pub.OnState(NodeConnectionState.Stopped, "Stopped.", null, 0);
        }
        NodeStatus stopped = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.Stopped, stopped.Host.State);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task The_heartbeat_refreshes_the_file_without_a_state_change_and_stops_with_the_publisher()
    {
        using var dir = new TempDir();
        string path = dir.Combine(NodeStatusFile.FileName);
        DateTimeOffset first;
        using (var pub = new NodeStatusPublisher(dir.Path, TimeSpan.FromMilliseconds(100), NullNodeLog.Instance))
        {
            first = NodeStatusFile.Parse(File.ReadAllText(path)).HeartbeatAt!.Value;
            Assert.Equal(0.1, NodeStatusFile.Parse(File.ReadAllText(path)).HeartbeatIntervalSeconds, 3);
            DateTimeOffset deadline = DateTimeOffset.UtcNow.AddSeconds(20);
            while (NodeStatusFile.Parse(File.ReadAllText(path)).HeartbeatAt <= first)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, "no heartbeat within 20 s");
                await Task.Delay(20);
            }
            Assert.Equal("Starting", NodeStatusFile.Parse(File.ReadAllText(path)).State);
        }
        string after = File.ReadAllText(path);
        // With the publisher disposed, the reader judges the heartbeat against the announced 100 ms interval.
        NodeStatus s = NodeStatusReader.Read(dir.Path, now: NodeStatusFile.Parse(after).HeartbeatAt!.Value.AddSeconds(1));
        Assert.Equal(NodeHostState.Unresponsive, s.Host.State);
    }

    [Fact]
    public async Task The_host_publishes_retries_while_running_and_marks_the_file_stopped_on_a_clean_exit()
    {
        using var dir = new TempDir();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<NodeStatus>();
        var progress = new Progress(s =>
        {
            if (s.State == NodeConnectionState.Reconnecting)
            {
                NodeStatus read = NodeStatusReader.Read(dir.Path);
                lock (seen)
                {
                    seen.Add(read);
                    if (seen.Count >= 3) { cts.Cancel(); }
                }
            }
        });
        int exit = await new NodeHost(new NodeHostOptions
        {
            StateDirectory = dir.Path,
            Port = 1,
            GatewayToken = "not-in-the-status-file",
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(50),
            HostStatsInterval = TimeSpan.Zero,
        }).RunAsync(progress, cts.Token);
        Assert.Equal(NodeHostExitCodes.Stopped, exit);
        lock (seen)
        {
            Assert.All(seen, s => Assert.True(s.Host.Running));
            Assert.All(seen, s => Assert.False(s.Connected));
            Assert.Equal("Unreachable", seen[^1].Connection.LastErrorKind);
            Assert.True(seen[^1].Connection.ReconnectAttempts >= 2);
            Assert.Equal("ws://127.0.0.1:1/", seen[^1].Gateway.Url);
        }
        NodeStatus after = NodeStatusReader.Read(dir.Path);
        Assert.Equal(NodeHostState.Stopped, after.Host.State);
        Assert.Equal(0, after.Host.ExitCode);
        string text = File.ReadAllText(dir.Combine(NodeStatusFile.FileName));
        Assert.DoesNotContain("not-in-the-status-file", text);
        Assert.False(File.Exists(dir.Combine("node.lock")));
    }

    [Fact]
    public async Task A_second_host_refused_by_the_lock_does_not_touch_the_first_hosts_status()
    {
        using var dir = new TempDir();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = new TaskCompletionSource();
        Task<int> first = new NodeHost(new NodeHostOptions
        {
            StateDirectory = dir.Path, Port = 1, ReconnectInitialDelay = TimeSpan.FromMilliseconds(200), HostStatsInterval = TimeSpan.Zero,
        }).RunAsync(new Progress(s => { if (s.State == NodeConnectionState.Reconnecting) { running.TrySetResult(); } }), cts.Token);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        string before = File.ReadAllText(dir.Combine(NodeStatusFile.FileName));
        int second = await new NodeHost(new NodeHostOptions { StateDirectory = dir.Path, Port = 1 }).RunAsync(null, default);
        Assert.Equal(NodeHostExitCodes.Configuration, second);
        NodeStatusFile after = NodeStatusFile.Parse(File.ReadAllText(dir.Combine(NodeStatusFile.FileName)));
        Assert.NotEqual("Failed", after.State);
        Assert.Equal(NodeStatusFile.Parse(before).ProcessStartTicks, after.ProcessStartTicks);
        cts.Cancel();
        Assert.Equal(NodeHostExitCodes.Stopped, await first);
    }

    private sealed class Progress : IProgress<NodeHostStatus>
    {
        private readonly Action<NodeHostStatus> _on;

        public Progress(Action<NodeHostStatus> on) => _on = on;

        public void Report(NodeHostStatus value) => _on(value);
    }
}
