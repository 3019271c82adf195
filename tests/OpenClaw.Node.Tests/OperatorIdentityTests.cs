using System;
using System.IO;
using OpenClaw.Node.Operator;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

public class OperatorIdentityTests
{
    [Theory]
    [InlineData("127.0.0.1", OperatorAuthMode.Auto, false)]
    [InlineData("localhost", OperatorAuthMode.Auto, false)]
    [InlineData("[::1]", OperatorAuthMode.Auto, false)]
    [InlineData("::1", OperatorAuthMode.Auto, false)]
    [InlineData("127.8.9.10", OperatorAuthMode.Auto, false)]
    [InlineData("10.0.0.5", OperatorAuthMode.Auto, true)]
    [InlineData("gw.example.com", OperatorAuthMode.Auto, true)]
    [InlineData("127.0.0.1", OperatorAuthMode.Device, true)]
    [InlineData("gw.example.com", OperatorAuthMode.SharedToken, false)]
    public void Device_identity_is_used_off_loopback_or_when_asked(string host, OperatorAuthMode mode, bool expected) =>
        Assert.Equal(expected, OperatorClient.UsesDevice(new OperatorOptions { Gateway = new GatewaySettings { Host = host }, AuthMode = mode }));

    [Fact]
    public void Identity_and_tokens_live_under_operator_owner_only_and_survive_a_reload()
    {
        using var dir = new TempDir();
        var store = new OperatorIdentityStore(dir.Path);
        var id = store.LoadOrCreateIdentity();
        Assert.Equal(id.DeviceId, new OperatorIdentityStore(dir.Path).LoadOrCreateIdentity().DeviceId);
        Assert.StartsWith(Path.Combine(dir.Path, "operator"), store.IdentityPath);
        Assert.False(File.Exists(Path.Combine(dir.Path, "identity", "device.json")), "the node's identity must stay separate");

        store.SetDeviceToken("ws://a:1/", "tok-a", new[] { "operator.admin" });
        store.SetDeviceToken("wss://b:2/", "tok-b", new[] { "operator.read" });
        var again = new OperatorIdentityStore(dir.Path);
        Assert.Equal("tok-a", again.GetDeviceToken("ws://a:1/"));
        Assert.Equal("tok-b", again.GetDeviceToken("wss://b:2/"));
        Assert.Null(again.GetDeviceToken("ws://c:3/"));
        again.SetDeviceToken("ws://a:1/", null, Array.Empty<string>());
        Assert.Null(new OperatorIdentityStore(dir.Path).GetDeviceToken("ws://a:1/"));
        Assert.Equal("tok-b", new OperatorIdentityStore(dir.Path).GetDeviceToken("wss://b:2/"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.AuthPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.IdentityPath));
        }
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"version\":2,\"gateways\":{}}")]
    [InlineData("{\"version\":1,\"gateways\":[]}")]
    [InlineData("[]")]
    public void A_corrupt_credentials_file_is_refused_by_name_and_left_untouched(string text)
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "operator"));
        string path = Path.Combine(dir.Path, "operator", "operator-auth.json");
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows()) { File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); }
        var store = new OperatorIdentityStore(dir.Path);
        var ex = Assert.Throws<StateFileException>(() => store.GetDeviceToken("ws://a:1/"));
        Assert.Contains(path, ex.Message);
        Assert.Throws<StateFileException>(() => store.SetDeviceToken("ws://a:1/", "t", Array.Empty<string>()));
        Assert.Equal(text, File.ReadAllText(path));
    }
}
