using System;
using System.Linq;
using System.Text.Json.Nodes;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

public class ProtocolTests
{
    private static readonly JsonObject Challenge = new() { ["nonce"] = "3eb52361-ae33-4685-bad1-b8479dde5163", ["ts"] = 1795316415223L };

    private static ConnectRequest NodeRequest(ConnectCredentials creds, string platform = "linux", string family = "Linux") => new(
        new ClientInfo("node-host", "node", "0.1.0", "specnode", platform, family, "72be92d7-5efc-49e9-b875-dd9a063ae7f4"),
        "node", Array.Empty<string>(), new[] { "system" }, new[] { "system.run", "system.which" }, "/usr/bin:/bin", creds,
        DeviceIdentity.FromSeed(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0));

    [Fact]
    public void Node_connect_params_have_exactly_the_closed_schema_fields()
    {
        JsonObject p = Handshake.BuildParams(NodeRequest(new ConnectCredentials(Token: "example-shared-token")), Challenge);
        Assert.Equal(new[] { "minProtocol", "maxProtocol", "client", "caps", "commands", "pathEnv", "auth", "role", "scopes", "device" }, p.Select(kv => kv.Key).ToArray());
        Assert.Equal(3, (int)p["minProtocol"]!);
        Assert.Equal(4, (int)p["maxProtocol"]!);
        Assert.Equal(new[] { "id", "displayName", "version", "platform", "deviceFamily", "mode", "instanceId" }, p.Obj("client")!.Select(kv => kv.Key).ToArray());
        Assert.Equal("node-host", p.Obj("client").Str("id"));
        Assert.Equal("node", p.Obj("client").Str("mode"));
        Assert.Equal("node", p.Str("role"));
        Assert.Empty(p.Arr("scopes")!);
        Assert.Equal(new[] { "token" }, p.Obj("auth")!.Select(kv => kv.Key).ToArray());
        JsonObject device = p.Obj("device")!;
        Assert.Equal(new[] { "id", "publicKey", "signature", "signedAt", "nonce" }, device.Select(kv => kv.Key).ToArray());
        Assert.Equal("56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c", device.Str("id"));
        Assert.Equal(1795316415223L, device.Long("signedAt"));
        Assert.Equal("3eb52361-ae33-4685-bad1-b8479dde5163", device.Str("nonce"));
        // The signature is the spec's "node v3 with shared token" vector.
        Assert.Equal("1rzit3xh5_1Nyfvy9-xe66AI2XpO1upfeZuEEcb4l_3C-z_hZHGEuv72dI9n60FAZQb1ezYrr2yqiPNoE5dVDQ", device.Str("signature"));
        Assert.True(Json.Serialize(p).Length < 64 * 1024);
    }

    [Fact]
    public void Device_token_auth_signs_with_the_device_token_and_sends_only_it()
    {
        var req = NodeRequest(new ConnectCredentials(DeviceToken: "dev-tok"), "windows", "Windows");
        JsonObject p = Handshake.BuildParams(req, Challenge);
        Assert.Equal(new[] { "deviceToken" }, p.Obj("auth")!.Select(kv => kv.Key).ToArray());
        string payload = SignaturePayload.V3(req.Device!.DeviceId, "node-host", "node", "node", Array.Empty<string>(), 1795316415223L, "dev-tok",
            "3eb52361-ae33-4685-bad1-b8479dde5163", "windows", "Windows");
        Assert.EndsWith("|dev-tok|3eb52361-ae33-4685-bad1-b8479dde5163|windows|windows", payload);
        Assert.True(DeviceIdentity.Verify(req.Device.PublicKeyRaw, payload, p.Obj("device").Str("signature")!));
    }

    [Fact]
    public void Operators_ask_for_protocol_4_only()
    {
        var req = new ConnectRequest(new ClientInfo("cli", "cli", "0.1.0", null, "linux", "Linux", null), "operator",
            new[] { "operator.admin" }, Array.Empty<string>(), Array.Empty<string>(), null, new ConnectCredentials(Token: "t"), null);
        JsonObject p = Handshake.BuildParams(req, Challenge);
        Assert.Equal(4, (int)p["minProtocol"]!);
        Assert.False(p.ContainsKey("device"));
        Assert.False(p.ContainsKey("pathEnv"));
        Assert.False(p.Obj("client")!.ContainsKey("displayName"));
    }

    [Fact]
    public void Challenge_without_nonce_is_a_protocol_error()
    {
        var ex = Assert.Throws<GatewayException>(() => Handshake.BuildParams(NodeRequest(new ConnectCredentials()), new JsonObject { ["ts"] = 1 }));
        Assert.Equal(FailureKind.Protocol, ex.Kind);
    }

    [Theory]
    [InlineData("067ec71087560422d0c70cc2fe8e9b4ee389a343241746dd7b20633f3eb27b99")]
    [InlineData("067EC71087560422D0C70CC2FE8E9B4EE389A343241746DD7B20633F3EB27B99")]
    [InlineData("06:7E:C7:10:87:56:04:22:D0:C7:0C:C2:FE:8E:9B:4E:E3:89:A3:43:24:17:46:DD:7B:20:63:3F:3E:B2:7B:99")]
    [InlineData("sha256:06:7e:c7:10:87:56:04:22:d0:c7:0c:c2:fe:8e:9b:4e:e3:89:a3:43:24:17:46:dd:7b:20:63:3f:3e:b2:7b:99")]
    [InlineData("SHA256:067ec71087560422d0c70cc2fe8e9b4ee389a343241746dd7b20633f3eb27b99")]
    public void Fingerprints_in_every_accepted_form_normalise_to_lower_hex(string input)
    {
        Assert.Equal("067ec71087560422d0c70cc2fe8e9b4ee389a343241746dd7b20633f3eb27b99", TlsFingerprint.Normalise(input));
    }

    [Theory]
    [InlineData("067ec7")]
    [InlineData("zz7ec71087560422d0c70cc2fe8e9b4ee389a343241746dd7b20633f3eb27b99")]
    [InlineData("06:7E:C7")]
    [InlineData("067:EC")]
    public void Bad_fingerprints_are_rejected(string input) => Assert.Throws<FormatException>(() => TlsFingerprint.Normalise(input));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("::1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.10", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("169.254.1.1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("nas.local", true)]
    [InlineData("box.tailnet.ts.net", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("gateway.example.com", false)]
    public void Plaintext_is_allowed_only_to_private_hosts(string host, bool allowed) =>
        Assert.Equal(allowed, GatewayEndpoint.IsPlaintextAllowed(host, allowInsecurePrivateNames: false));

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LocalHost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData(" 127.0.0.1 ", true)]
    [InlineData("10.1.2.3", false)]
    [InlineData("localhost.example.com", false)]
    [InlineData("gateway.example.com", false)]
    [InlineData("::2", false)]
    public void Loopback_is_localhost_or_a_loopback_literal(string host, bool loopback) =>
        Assert.Equal(loopback, GatewayEndpoint.IsLoopback(host));

    [Fact]
    public void Plaintext_to_a_public_host_is_a_configuration_error()
    {
        var ex = Assert.Throws<GatewayException>(() => GatewayEndpoint.Validate(new GatewaySettings { Host = "gateway.example.com" }, false));
        Assert.Equal(FailureKind.Configuration, ex.Kind);
        Assert.Equal("InsecurePlaintextGateway", ex.ErrorId);
        GatewayEndpoint.Validate(new GatewaySettings { Host = "gateway.example.com" }, true);
        GatewayEndpoint.Validate(new GatewaySettings { Host = "gateway.example.com", Tls = true }, false);
    }

    [Fact]
    public void A_pin_without_tls_is_a_configuration_error()
    {
        var ex = Assert.Throws<GatewayException>(() => GatewayEndpoint.Validate(new GatewaySettings { Host = "127.0.0.1", TlsFingerprint = new string('a', 64) }, false));
        Assert.Equal("TlsFingerprintWithoutTls", ex.ErrorId);
    }

    [Fact]
    public void Urls_bracket_ipv6_and_add_the_context_path()
    {
        Assert.Equal("ws://127.0.0.1:18789/", GatewayEndpoint.ToUri(new GatewaySettings()).ToString());
        Assert.Equal("wss://[::1]/openclaw-gw", GatewayEndpoint.ToUri(new GatewaySettings { Host = "::1", Port = 443, Tls = true, ContextPath = "openclaw-gw" }).ToString());
    }

    [Fact]
    public void Gateway_errors_are_classified_by_details_code()
    {
        var pairing = GatewayException.FromError((JsonObject)JsonNode.Parse("""
            {"code":"NOT_PAIRED","message":"pairing required: device is not approved yet","details":{"code":"PAIRING_REQUIRED","reason":"not-paired","requestId":"r1"}}
            """)!, "connect");
        Assert.Equal(FailureKind.PairingRequired, pairing.Kind);
        Assert.Equal("PairingRequired", pairing.ErrorId);
        Assert.Equal("r1", pairing.Details.Str("requestId"));

        var token = GatewayException.FromError((JsonObject)JsonNode.Parse("""
            {"code":"INVALID_REQUEST","message":"unauthorized: device token mismatch","details":{"code":"AUTH_DEVICE_TOKEN_MISMATCH","canRetryWithDeviceToken":false}}
            """)!, "connect");
        Assert.Equal(FailureKind.AuthFailed, token.Kind);
        Assert.Equal("AuthDeviceTokenMismatch", token.ErrorId);

        var starting = GatewayException.FromError((JsonObject)JsonNode.Parse("""
            {"code":"UNAVAILABLE","message":"gateway starting","retryable":true,"retryAfterMs":1500,"details":{"reason":"startup-sidecars"}}
            """)!, "connect");
        Assert.Equal(FailureKind.Unavailable, starting.Kind);
        Assert.Equal(1500, starting.RetryAfterMs);
        Assert.True(starting.Retryable);

        var scope = GatewayException.FromError((JsonObject)JsonNode.Parse("""{"code":"FORBIDDEN","message":"missing scope: operator.admin","details":{"code":"MISSING_SCOPE"}}""")!, "node.pair.approve");
        Assert.Equal(FailureKind.Forbidden, scope.Kind);
        Assert.Contains("node.pair.approve", scope.Message);
    }
}
