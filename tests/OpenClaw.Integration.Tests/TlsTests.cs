using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>The real gateway with gateway.tls auto-generated (self-signed) certificates.</summary>
[Collection("tls")]
public sealed class TlsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly RealGateway _gw;

    public TlsTests(TlsGatewayFixture fixture) => _gw = fixture.Gateway;

    private static string Colons(string hex) => string.Join(":", Enumerable.Range(0, 32).Select(i => hex.Substring(i * 2, 2).ToUpperInvariant()));

    [Fact]
    public async Task The_right_pin_connects_in_any_accepted_form_and_is_stored_normalised()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--tls", "--tls-fingerprint", "sha256:" + Colons(_gw.TlsFingerprint!), "--display-name", "tls-node" });
        await using var _ = node;
        JsonObject connected = await node.WaitForStateAsync("Connected", Wait);
        Assert.StartsWith("wss://", connected.Str("gateway"));
        JsonObject config = (JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!;
        Assert.Equal(_gw.TlsFingerprint, config.Obj("gateway").Str("tlsFingerprint"));
        Assert.True(config.Obj("gateway").Bool("tls"));

        await using OperatorClient op = await _gw.OperatorAsync();
        string deviceId = connected.Str("deviceId")!;
        string requestId = (await op.ListNodePairingAsync(default)).Arr("pending")!.Single(r => r.Str("nodeId") == deviceId)!.Str("requestId")!;
        await op.ApproveNodePairingAsync(requestId, default);
        await node.WaitForAsync(s => s.Str("message")!.Contains("approved"), Wait);
        JsonNode? which = await op.InvokeAsync(deviceId, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 15000, default);
        Assert.NotNull(which.Obj("bins").Str("sh"));
    }

    [Fact]
    public async Task A_wrong_pin_fails_before_anything_is_sent_and_shows_both_fingerprints()
    {
        using var dir = new StateDir();
        string wrong = new string(_gw.TlsFingerprint!.Select(c => c == 'a' ? 'b' : c == '0' ? '1' : c).ToArray());
        Assert.NotEqual(_gw.TlsFingerprint, wrong);
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--tls", "--tls-fingerprint", wrong });
        await using var _ = node;
        JsonObject retry = await node.WaitForStateAsync("Reconnecting", Wait);
        Assert.Equal(30000, (long)retry.Long("retryInMs")!);
        await Poll.Until(() => node.Stderr.Contains("does not match the pinned fingerprint"), Wait);
        Assert.Contains("expected " + Colons(wrong), node.Stderr);
        Assert.Contains("presented " + Colons(_gw.TlsFingerprint!), node.Stderr);
        Assert.DoesNotContain(_gw.Token, node.Stderr);
        // No connect frame reached the gateway: it has no pairing request or device for this node.
        string deviceId = (await node.WaitForAsync(s => !string.IsNullOrEmpty(s.Str("deviceId")), Wait)).Str("deviceId")!;
        await using OperatorClient op = await _gw.OperatorAsync();
        Assert.DoesNotContain(deviceId, (await op.ListDevicePairingAsync(default)).ToJsonString());
        Assert.DoesNotContain(deviceId, (await op.ListNodesAsync(default)).ToJsonString());
    }

    [Fact]
    public async Task Without_a_pin_the_self_signed_certificate_fails_validation_with_its_fingerprint()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--tls" });
        await using var _ = node;
        await node.WaitForStateAsync("Reconnecting", Wait);
        await Poll.Until(() => node.Stderr.Contains("failed validation"), Wait);
        Assert.Contains(Colons(_gw.TlsFingerprint!), node.Stderr);
        Assert.Contains("--tls-fingerprint", node.Stderr);
    }

    [Fact]
    public async Task A_pin_on_plaintext_is_a_configuration_error()
    {
        using var dir = new StateDir();
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--tls-fingerprint", _gw.TlsFingerprint! });
        await using var _ = node;
        Assert.Equal(78, await node.WaitForExitAsync(Wait));
        Assert.Contains("TLS fingerprint was given for a plaintext", node.Stderr);
    }
}

/// <summary>One TLS gateway shared by the TLS tests.</summary>
public sealed class TlsGatewayFixture : IAsyncLifetime
{
    public RealGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await RealGateway.StartAsync(tls: true);

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

[CollectionDefinition("tls")]
public sealed class TlsCollection : ICollectionFixture<TlsGatewayFixture> { }
