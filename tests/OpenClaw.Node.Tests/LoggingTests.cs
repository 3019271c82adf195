using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Policy;
using Xunit;

namespace OpenClaw.Node.Tests;

/// <summary>Structured logging: rotation, permissions, level filter, secret scrubbing, journal prefixes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LoggingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_file_rotates_at_the_size_cap_keeps_n_files_and_is_owner_only()
    {
        string logs = _dir.Combine("logs");
        using (var log = new RotatingFileLog(logs, maxBytes: 4096, filesKept: 3))
        {
            for (int i = 0; i < 400; i++) { log.Write(NodeLogLevel.Info, $"line {i:D4} " + new string('x', 60)); }
        }
        string[] files = Directory.GetFiles(logs).Select(Path.GetFileName).OrderBy(n => n).ToArray()!;
        Assert.Equal(new[] { "openclaw-node.log", "openclaw-node.log.1", "openclaw-node.log.2", "openclaw-node.log.3" }, files);
        foreach (string f in Directory.GetFiles(logs))
        {
            Assert.True(new FileInfo(f).Length <= 4096, f);
            Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(f));   // 0600
        }
        Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(logs));   // 0700
        // The newest line is last in the current file; .1 holds the lines just before it (nothing lost across a rotation).
        string[] current = File.ReadAllLines(Path.Combine(logs, "openclaw-node.log"));
        JsonObject last = (JsonObject)JsonNode.Parse(current[^1])!;
        Assert.StartsWith("line 0399", last["msg"]!.GetValue<string>());
        Assert.Equal("info", last["level"]!.GetValue<string>());
        Assert.Equal(Environment.ProcessId, last["pid"]!.GetValue<int>());
        Assert.True(DateTimeOffset.TryParse(last["time"]!.GetValue<string>(), out _));
        string[] previous = File.ReadAllLines(Path.Combine(logs, "openclaw-node.log.1"));
        int firstCurrent = int.Parse(((JsonObject)JsonNode.Parse(current[0])!)["msg"]!.GetValue<string>().Substring(5, 4));
        int lastPrevious = int.Parse(((JsonObject)JsonNode.Parse(previous[^1])!)["msg"]!.GetValue<string>().Substring(5, 4));
        Assert.Equal(lastPrevious + 1, firstCurrent);
    }

    [Fact]
    public void A_symlinked_log_file_is_refused()
    {
        string logs = _dir.Combine("logs2");
        Directory.CreateDirectory(logs);
        File.CreateSymbolicLink(Path.Combine(logs, RotatingFileLog.FileName), _dir.Combine("elsewhere"));
        Assert.Throws<IOException>(() => new RotatingFileLog(logs));
        Assert.False(File.Exists(_dir.Combine("elsewhere")));
    }

    [Fact]
    public void The_level_filters_the_sinks_and_resolves_explicit_then_env_then_policy()
    {
        var primary = new List<(NodeLogLevel, string)>();
        var sink = new List<(NodeLogLevel, string)>();
        var pipeline = new NodeLogPipeline(new DelegateNodeLog((l, m) => primary.Add((l, m))), NodeLogLevel.Warning);
        pipeline.AddSink(new DelegateNodeLog((l, m) => sink.Add((l, m))));
        pipeline.Write(NodeLogLevel.Debug, "d");
        pipeline.Write(NodeLogLevel.Info, "i");
        pipeline.Write(NodeLogLevel.Warning, "w");
        pipeline.Write(NodeLogLevel.Error, "e");
        Assert.Equal(new[] { "w", "e" }, sink.Select(x => x.Item2));
        Assert.Equal(4, primary.Count);   // the primary log filters by its own level

        var policy = new MachinePolicy(new[] { MachinePolicyLayer.Parse("{\"logLevel\":\"error\"}", "p") }, null, new[] { "p" });
        string? old = Environment.GetEnvironmentVariable(NodeLogLevels.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(NodeLogLevels.EnvironmentVariable, null);
            Assert.Equal(NodeLogLevel.Info, NodeLogLevels.Resolve(null, null));
            Assert.Equal(NodeLogLevel.Error, NodeLogLevels.Resolve(null, policy));
            Environment.SetEnvironmentVariable(NodeLogLevels.EnvironmentVariable, "WARN");
            Assert.Equal(NodeLogLevel.Warning, NodeLogLevels.Resolve(null, policy));
            Assert.Equal(NodeLogLevel.Debug, NodeLogLevels.Resolve(NodeLogLevel.Debug, policy));
        }
        finally
        {
            Environment.SetEnvironmentVariable(NodeLogLevels.EnvironmentVariable, old);
        }
    }

    [Fact]
    public void Lines_no_log_keeps_are_dropped_before_they_are_scrubbed()
    {
        var primary = new FilteredLog(NodeLogLevel.Info);
        var sink = new List<string>();
        var pipeline = new NodeLogPipeline(primary, NodeLogLevel.Warning);
        Assert.False(pipeline.IsEnabled(NodeLogLevel.Debug));
        Assert.True(pipeline.IsEnabled(NodeLogLevel.Info));
        pipeline.Write(NodeLogLevel.Debug, "d");
        pipeline.Write(NodeLogLevel.Info, "i");
        Assert.Equal(new[] { "i" }, primary.Lines);

        pipeline.AddSink(new DelegateNodeLog((_, m) => sink.Add(m)));
        pipeline.Level = NodeLogLevel.Debug;   // --log-level debug: the file keeps debug lines the console does not
        Assert.True(pipeline.IsEnabled(NodeLogLevel.Debug));
        pipeline.Write(NodeLogLevel.Debug, "d2");
        Assert.Equal(new[] { "d2" }, sink);
        Assert.Equal(new[] { "i" }, primary.Lines);
        Assert.False(new NodeLogPipeline(NullNodeLog.Instance).IsEnabled(NodeLogLevel.Error));
        Assert.True(new NodeLogPipeline(new DelegateNodeLog((_, _) => { })).IsEnabled(NodeLogLevel.Debug));   // no filter: gets everything
    }

    private sealed class FilteredLog : INodeLog, INodeLogFilter
    {
        private readonly NodeLogLevel _min;
        public FilteredLog(NodeLogLevel min) => _min = min;
        public List<string> Lines { get; } = new();
        public bool IsEnabled(NodeLogLevel level) => level >= _min;
        public void Write(NodeLogLevel level, string message) => Lines.Add(message);
    }

    [Fact]
    public void Secrets_never_reach_any_sink_even_inside_exceptions_and_debug_frames()
    {
        const string token = "gw-shared-token-5f2c9a7e";
        const string deviceToken = "dev-tok-0a1b2c3d4e5f6a7b8c9d";
        const string bootstrap = "BOOT-7Q2M-9XKC";
        // A real key made for this test only, so no key text is committed; its base64 body must never reach a sink.
        string privateKey = OpenClaw.Node.Identity.DeviceIdentity.Generate().PrivateKeyPkcs8Pem;
        string keyBody = privateKey.Split('\n')[1];
        string logs = _dir.Combine("logs");
        var console = new List<string>();
        var pipeline = new NodeLogPipeline(new DelegateNodeLog((_, m) => console.Add(m)), NodeLogLevel.Debug);
        var file = new RotatingFileLog(logs);
        pipeline.AddSink(file);
        pipeline.Redactor.AddSecret(token);
        pipeline.Redactor.AddSecret(deviceToken);

        var ex = new InvalidOperationException($"connect failed with token {token} and device token {deviceToken}", new IOException("inner " + privateKey));
        pipeline.Write(NodeLogLevel.Error, ex.ToString());
        pipeline.Write(NodeLogLevel.Debug, "frame {\"type\":\"req\",\"method\":\"connect\",\"params\":{\"auth\":{\"token\":\"" + token + "\",\"deviceToken\":\"" + deviceToken + "\",\"bootstrapToken\":\"" + bootstrap + "\",\"password\":\"hunter2hunter2\"},\"device\":{\"privateKeyPem\":\"abc\",\"signature\":\"sig-value-xyz\"}}}");
        pipeline.Write(NodeLogLevel.Info, "GET /setup?token=" + bootstrap + "&x=1 with Authorization: Bearer " + bootstrap);
        pipeline.Write(NodeLogLevel.Info, "OPENCLAW_GATEWAY_TOKEN=" + "another-unregistered-secret");
        file.Dispose();

        string written = File.ReadAllText(Path.Combine(logs, RotatingFileLog.FileName)) + string.Join("\n", console);
        foreach (string secret in new[] { token, deviceToken, bootstrap, keyBody, "hunter2hunter2", "sig-value-xyz", "another-unregistered-secret", "\"abc\"" })
        {
            Assert.DoesNotContain(secret, written);
        }
        Assert.Contains(LogRedactor.Mask, written);
        Assert.Contains("connect failed with token", written);   // the message itself survives
        Assert.Contains("\"method\\\":\\\"connect\\\"", File.ReadAllText(Path.Combine(logs, RotatingFileLog.FileName)));
    }

    [Theory]
    [InlineData(NodeLogLevel.Debug, "<7>")]
    [InlineData(NodeLogLevel.Info, "<6>")]
    [InlineData(NodeLogLevel.Warning, "<4>")]
    [InlineData(NodeLogLevel.Error, "<3>")]
    public void Journal_lines_carry_the_syslog_priority_on_every_line(NodeLogLevel level, string prefix)
    {
        Assert.Equal(prefix + "Connected to ws://gw:18789/.", JournalFormat.Format(level, "Connected to ws://gw:18789/."));
        Assert.Equal(prefix + "first\n" + prefix + "second\n" + prefix + "third", JournalFormat.Format(level, "first\r\nsecond\nthird"));
    }
}
