using System;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Node.Tests;

public class GatewayAddressTests
{
    [Theory]
    [InlineData("gw.lan", "gw.lan", 18789, false, null)]
    [InlineData("gw.lan:443", "gw.lan", 443, false, null)]
    [InlineData("ws://10.0.0.5:18789", "10.0.0.5", 18789, false, null)]
    [InlineData("wss://gw.example.com", "gw.example.com", 18789, true, null)]
    [InlineData("wss://gw.example.com:443/openclaw-gw", "gw.example.com", 443, true, "/openclaw-gw")]
    [InlineData("[::1]:2000", "::1", 2000, false, null)]
    public void Addresses_parse(string text, string host, int port, bool tls, string? path)
    {
        var g = GatewayAddress.Parse(text);
        Assert.Equal(host, g.Host);
        Assert.Equal(port, g.Port);
        Assert.Equal(tls, g.Tls);
        Assert.Equal(path, g.ContextPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://gw.lan")]
    [InlineData("ws://")]
    public void Bad_addresses_say_what_to_use(string text) => Assert.Throws<FormatException>(() => GatewayAddress.Parse(text));

    private static NodeInfo N(string id, string? name, bool connected = true, string? ip = null) => new() { NodeId = id, DisplayName = name, Connected = connected, RemoteIp = ip };

    [Fact]
    public void Node_selectors_follow_the_cli_rules()
    {
        var nodes = new[] { N("aaaaaa111111", "build-01"), N("aaaaaa222222", "build-02", ip: "10.0.0.9"), N("bbbbbb333333", "Web", connected: false), N("cccccc444444", "web") };
        Assert.Equal("aaaaaa111111", OperatorOperations.ResolveNode(nodes, "aaaaaa111111").NodeId);
        Assert.Equal("aaaaaa222222", OperatorOperations.ResolveNode(nodes, "10.0.0.9").NodeId);
        Assert.Equal("aaaaaa111111", OperatorOperations.ResolveNode(nodes, "BUILD-01").NodeId);
        Assert.Equal("cccccc444444", OperatorOperations.ResolveNode(nodes, "web").NodeId);   // two "web": the connected one wins
        Assert.Equal("bbbbbb333333", OperatorOperations.ResolveNode(nodes, "bbbbbb").NodeId);
        Assert.Equal("NodeAmbiguous", Assert.Throws<GatewayException>(() => OperatorOperations.ResolveNode(nodes, "aaaaaa")).ErrorId);
        Assert.Equal("NodeNotFound", Assert.Throws<GatewayException>(() => OperatorOperations.ResolveNode(nodes, "aaa")).ErrorId);
        Assert.Equal("NodeNotFound", Assert.Throws<GatewayException>(() => OperatorOperations.ResolveNode(nodes, "nope")).ErrorId);
    }
}
