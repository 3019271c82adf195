using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Enrollment;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Operator;
using Xunit;

namespace OpenClaw.Node.Tests;

public sealed class SetupCodeTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_796_000_000_000);

    private static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private const string Pin = "06:7E:8B:1C:2D:3E:4F:50:61:72:83:94:A5:B6:C7:D8:E9:FA:0B:1C:2D:3E:4F:50:61:72:83:94:A5:B6:C7:99";

    [Fact]
    public void A_gateway_code_decodes_to_its_url_expiry_and_token()
    {
        string code = Encode("{\"url\":\"ws://127.0.0.1:48554\",\"bootstrapToken\":\"symbgiEkoQ25IO1bQvuQaP1rsGt2m5vbAcJ_VkvjhYI\",\"expiresAtMs\":1796000600000}");
        SetupCode c = SetupCode.Parse(code, Now);
        Assert.Equal("ws://127.0.0.1:48554", c.Url);
        Assert.Equal("127.0.0.1", c.Gateway.Host);
        Assert.Equal(48554, c.Gateway.Port);
        Assert.False(c.Gateway.Tls);
        Assert.Null(c.TlsFingerprint);
        Assert.Equal("symbgiEkoQ25IO1bQvuQaP1rsGt2m5vbAcJ_VkvjhYI", c.BootstrapToken);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1796000600000), c.ExpiresAt);
        Assert.DoesNotContain("symbg", c.ToString());
    }

    [Fact]
    public void The_oc_pair_url_form_and_a_carried_pin_and_path_are_taken()
    {
        string code = Encode("{\"url\":\"wss://gw.example.com:8443/openclaw\",\"urls\":[\"wss://gw.example.com:8443/openclaw\"],\"bootstrapToken\":\"tok\",\"expiresAtMs\":1796000600000,\"tlsFingerprint\":\"" + Pin + "\"}");
        SetupCode c = SetupCode.Parse("  oc-pair://" + code + "\n", Now);
        Assert.True(c.Gateway.Tls);
        Assert.Equal("gw.example.com", c.Gateway.Host);
        Assert.Equal(8443, c.Gateway.Port);
        Assert.Equal("/openclaw", c.Gateway.ContextPath);
        Assert.Equal(Pin.Replace(":", "").ToLowerInvariant(), c.TlsFingerprint);
        Assert.Equal(c.TlsFingerprint, c.Gateway.TlsFingerprint);
        Assert.Single(c.Urls);
        Assert.Equal(c.Gateway, SetupCode.Parse("OC-PAIR://" + code, Now).Gateway);
    }

    [Theory]
    [InlineData("", "SetupCodeMissing")]
    [InlineData("   ", "SetupCodeMissing")]
    [InlineData("oc-pair://", "SetupCodeMalformed")]
    [InlineData("not a code!", "SetupCodeMalformed")]
    [InlineData("abc", "SetupCodeMalformed")]                       // base64 of garbage, not JSON
    public void Malformed_input_is_refused_with_a_stable_error_id(string input, string errorId)
    {
        SetupCodeException ex = Assert.Throws<SetupCodeException>(() => SetupCode.Parse(input, Now));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Contains("setup code", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"bootstrapToken\":\"t\"}")]
    [InlineData("{\"url\":\"ws://h:1\"}")]
    [InlineData("{\"url\":\"http://h:1\",\"bootstrapToken\":\"t\"}")]
    [InlineData("{\"url\":\"ws://\",\"bootstrapToken\":\"t\"}")]
    [InlineData("{\"url\":\"ws://h:1\",\"bootstrapToken\":\"a b\"}")]
    [InlineData("{\"url\":\"ws://h:1\",\"bootstrapToken\":\"t\",\"expiresAtMs\":\"soon\"}")]
    [InlineData("{\"url\":\"ws://h:1\",\"bootstrapToken\":\"t\",\"expiresAtMs\":-5}")]
    [InlineData("{\"url\":\"ws://h:1\",\"bootstrapToken\":\"t\",\"urls\":\"ws://h:1\"}")]
    [InlineData("{\"url\":\"wss://h:1\",\"bootstrapToken\":\"t\",\"tlsFingerprint\":\"nope\"}")]
    [InlineData("{\"url\":\"ws://h:1\",\"bootstrapToken\":\"t\",\"tlsFingerprint\":\"" + Pin + "\"}")]   // pin on plaintext
    public void Payloads_without_a_usable_url_token_expiry_or_pin_are_malformed(string json)
    {
        SetupCodeException ex = Assert.Throws<SetupCodeException>(() => SetupCode.Parse(Encode(json), Now));
        Assert.Equal("SetupCodeMalformed", ex.ErrorId);
    }

    [Fact]
    public void An_expired_code_is_refused_and_the_message_never_shows_the_token()
    {
        string code = Encode("{\"url\":\"ws://127.0.0.1:1\",\"bootstrapToken\":\"secret-bootstrap\",\"expiresAtMs\":1795999999999}");
        SetupCodeException ex = Assert.Throws<SetupCodeException>(() => SetupCode.Parse(code, Now));
        Assert.Equal("SetupCodeExpired", ex.ErrorId);
        Assert.Contains("expired", ex.Message);
        Assert.DoesNotContain("secret-bootstrap", ex.Message);
        Assert.DoesNotContain(code, ex.Message);
        // Exactly at the expiry instant it is expired too (the gateway's own check is "<= now").
        Assert.Throws<SetupCodeException>(() => SetupCode.Parse(Encode("{\"url\":\"ws://h:1\",\"bootstrapToken\":\"t\",\"expiresAtMs\":1796000000000}"), Now));
    }

    [Fact]
    public void Mask_shows_only_a_prefix()
    {
        string code = Encode("{\"url\":\"ws://127.0.0.1:1\",\"bootstrapToken\":\"secret-bootstrap\"}");
        string masked = SetupCode.Mask(code);
        Assert.StartsWith(code.Substring(0, 6), masked);
        Assert.DoesNotContain(code.Substring(6, 10), masked);
        Assert.Equal("****", SetupCode.Mask("short"));
        Assert.DoesNotContain("secret", new SetupCodeInfo { SetupCode = code, GatewayUrl = "ws://x", Access = "node" }.ToString());
    }

    [Fact]
    public async Task The_host_refuses_a_code_together_with_a_host_and_an_expired_code_before_connecting()
    {
        using var dir = new TempDir();
        string valid = Encode("{\"url\":\"ws://127.0.0.1:1\",\"bootstrapToken\":\"t\",\"expiresAtMs\":" + DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds() + "}");
        var seen = new System.Collections.Generic.List<NodeHostStatus>();
        var progress = new Progress(seen);
        int exit = await new NodeHost(new NodeHostOptions { StateDirectory = dir.Path, SetupCode = valid, Host = "10.0.0.1" }).RunAsync(progress, CancellationToken.None);
        Assert.Equal(NodeHostExitCodes.Configuration, exit);
        Assert.Contains("do not give a host", seen.Last().Message);
        string expired = Encode("{\"url\":\"ws://127.0.0.1:1\",\"bootstrapToken\":\"t\",\"expiresAtMs\":1000}");
        exit = await new NodeHost(new NodeHostOptions { StateDirectory = dir.Path, SetupCode = expired }).RunAsync(progress, CancellationToken.None);
        Assert.Equal(NodeHostExitCodes.Configuration, exit);
        Assert.Contains("expired", seen.Last().Message);
        exit = await new NodeHost(new NodeHostOptions { StateDirectory = dir.Path, GatewayToken = "t", Commands = new[] { "system.which", "no.such" } }).RunAsync(progress, CancellationToken.None);
        Assert.Equal(NodeHostExitCodes.Configuration, exit);
        Assert.Contains("no.such", seen.Last().Message);
    }

    private sealed class Progress : IProgress<NodeHostStatus>
    {
        private readonly System.Collections.Generic.List<NodeHostStatus> _seen;

        public Progress(System.Collections.Generic.List<NodeHostStatus> seen) => _seen = seen;

        public void Report(NodeHostStatus value) { lock (_seen) { _seen.Add(value); } }
    }
}

public sealed class NodeRequestFilterTests
{
    private static NodeRequestInfo Device(string name, string platform = "linux", string? role = "node", string[]? roles = null, string[]? scopes = null) => new()
    {
        Kind = NodeRequestKind.Device, RequestId = "d-" + name, NodeId = new string('a', 64), DisplayName = name, Platform = platform, Role = role,
        Roles = roles ?? (role is null ? Array.Empty<string>() : new[] { role }), Scopes = scopes ?? Array.Empty<string>(),
    };

    private static NodeRequestInfo Surface(string name, params string[] commands) => new()
    {
        Kind = NodeRequestKind.CommandSurface, RequestId = "s-" + name, NodeId = new string('b', 64), DisplayName = name, Platform = "linux", Role = "node", Commands = commands,
    };

    private static readonly NodeRequestFilter Fleet = new()
    {
        Platforms = new[] { "linux" },
        DisplayNamePatterns = new[] { "build-*" },
        AllowedCommands = new[] { "system.run", "system.which" },
    };

    [Fact]
    public void An_empty_filter_approves_everything_as_before()
    {
        var f = new NodeRequestFilter();
        Assert.True(f.IsEmpty);
        Assert.Equal(NodeRequestVerdict.Approve, f.Evaluate(Device("x", role: "operator", scopes: new[] { "operator.admin" })).Verdict);
        Assert.Equal(NodeRequestVerdict.Approve, f.Evaluate(Surface("x", "system.run", "browser.proxy")).Verdict);
    }

    [Fact]
    public void Matching_node_requests_within_the_allowed_commands_are_approved()
    {
        Assert.Equal(NodeRequestVerdict.Approve, Fleet.Evaluate(Device("build-07")).Verdict);
        Assert.Equal(NodeRequestVerdict.Approve, Fleet.Evaluate(Device("BUILD-07")).Verdict);
        Assert.Equal(NodeRequestVerdict.Approve, Fleet.Evaluate(Surface("build-07", "system.which")).Verdict);
        Assert.Equal(NodeRequestVerdict.Approve, Fleet.Evaluate(Surface("build-07", "system.run", "system.which")).Verdict);
        Assert.Equal(NodeRequestVerdict.Approve, Fleet.Evaluate(Surface("build-07")).Verdict);
    }

    [Fact]
    public void Other_platforms_and_names_are_skipped_not_refused()
    {
        NodeRequestDecision p = Fleet.Evaluate(Device("build-07", platform: "windows"));
        Assert.Equal(NodeRequestVerdict.Skip, p.Verdict);
        Assert.Equal("NodeRequestPlatformNotMatched", p.ErrorId);
        NodeRequestDecision n = Fleet.Evaluate(Surface("web-01", "system.which"));
        Assert.Equal(NodeRequestVerdict.Skip, n.Verdict);
        Assert.Equal("NodeRequestNameNotMatched", n.ErrorId);
        Assert.Equal(NodeRequestVerdict.Skip, Fleet.Evaluate(Device(null!)).Verdict);
    }

    [Fact]
    public void A_broader_command_surface_is_refused_naming_the_extra_commands()
    {
        NodeRequestDecision d = Fleet.Evaluate(Surface("build-07", "system.run", "system.which", "system.run.prepare", "browser.proxy"));
        Assert.Equal(NodeRequestVerdict.Refuse, d.Verdict);
        Assert.Equal("NodeRequestCommandsTooBroad", d.ErrorId);
        Assert.Contains("system.run.prepare", d.Reason);
        Assert.Contains("browser.proxy", d.Reason);
        // Command names are exact (no case folding, no prefixes).
        Assert.Equal(NodeRequestVerdict.Refuse, Fleet.Evaluate(Surface("build-07", "System.Run")).Verdict);
    }

    [Fact]
    public void Device_requests_for_more_than_a_node_are_refused()
    {
        NodeRequestDecision role = Fleet.Evaluate(Device("build-07", role: "operator"));
        Assert.Equal(NodeRequestVerdict.Refuse, role.Verdict);
        Assert.Equal("NodeRequestRoleTooBroad", role.ErrorId);
        // A full-profile setup code asks for node and operator at once.
        Assert.Equal("NodeRequestRoleTooBroad", Fleet.Evaluate(Device("build-07", roles: new[] { "node", "operator" })).ErrorId);
        NodeRequestDecision scopes = Fleet.Evaluate(Device("build-07", scopes: new[] { "operator.read" }));
        Assert.Equal(NodeRequestVerdict.Refuse, scopes.Verdict);
        Assert.Equal("NodeRequestScopesTooBroad", scopes.ErrorId);
        // Any filter turns the role check on, even without an allowed-command list.
        Assert.Equal(NodeRequestVerdict.Refuse, new NodeRequestFilter { Platforms = new[] { "linux" } }.Evaluate(Device("x", role: "operator")).Verdict);
    }

    [Theory]
    [InlineData("build-*", "build-07", true)]
    [InlineData("build-*", "xbuild-07", false)]
    [InlineData("b?ild-0?", "BUILD-07", true)]
    [InlineData("*", "", true)]
    [InlineData("web.01", "webx01", false)]
    [InlineData("a`*b", "a*b", true)]
    [InlineData("a`*b", "axxb", false)]
    public void Wildcards_match_the_whole_name_case_insensitively(string pattern, string text, bool expected) =>
        Assert.Equal(expected, NodeRequestFilter.WildcardMatch(pattern, text));
}
