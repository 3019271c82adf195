using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// openclaw-node command-line input (issue 7): bad host names, ports and fingerprints are refused while parsing with a
/// clear message and exit code 2 (usage), before anything is written. Runs the real binary; no gateway needed.
/// </summary>
public sealed class CliInputTests
{
    [Theory]
    [InlineData("--host", "http://gw.example.com", "is a URL")]
    [InlineData("--host", "gw example.com", "not a valid host name")]
    [InlineData("--host", "gw.example.com:18789", "not a valid host name")]
    [InlineData("--host", "gw/path", "not a valid host name")]
    [InlineData("--port", "0", "out of range")]
    [InlineData("--port", "65536", "out of range")]
    [InlineData("--port", "-5", "--port")]
    [InlineData("--port", "eighty", "eighty")]
    [InlineData("--tls-fingerprint", "abcd", "SHA-256")]
    [InlineData("--tls-fingerprint", "sha256:zz", "SHA-256")]
    public async Task Bad_gateway_input_exits_2_with_a_clear_message_and_writes_nothing(string option, string value, string mentions)
    {
        using var dir = new StateDir();
        string state = Path.Combine(dir.Path, "state");
        var (code, _, stderr) = await HostCli.RunAsync(null, "run", "--state-dir", state, "--tls", option, value);
        Assert.Equal(2, code);
        Assert.Contains(mentions, stderr);
        Assert.Contains("--help", stderr);
        Assert.False(Directory.Exists(state), "the state directory was created for a rejected command line");
    }

    [Fact]
    public async Task Operator_commands_validate_the_same_way()
    {
        var (code, _, stderr) = await HostCli.RunAsync(null, "nodes", "--host", "bad host", "--port", "99999");
        Assert.Equal(2, code);
        Assert.Contains("--host", stderr);
        Assert.Contains("--port", stderr);
    }

    [Theory]
    [InlineData("get", "my.agent", "'my-agent'")]
    [InlineData("set", "Main", "'main'")]
    [InlineData("allow", "ops!", "'ops'")]
    [InlineData("deny", "!!!", "is not an agent id")]
    public async Task An_agent_id_no_agent_matches_exits_2_naming_the_id_the_gateway_uses_and_writes_nothing(string verb, string agent, string mentions)
    {
        using var dir = new StateDir();
        string state = Path.Combine(dir.Path, "state");
        string[] args = verb switch
        {
            "set" => new[] { "approvals", "set", "--agent", agent, "--security", "deny", "--state-dir", state },
            "allow" => new[] { "approvals", "allow", "/usr/bin/git", "--agent", agent, "--state-dir", state },
            "deny" => new[] { "approvals", "deny", "/usr/bin/git", "--agent", agent, "--state-dir", state },
            _ => new[] { "approvals", "get", "--agent", agent, "--state-dir", state },
        };
        var (code, _, stderr) = await HostCli.RunAsync(null, args);
        Assert.Equal(2, code);
        Assert.Contains("--agent", stderr);
        Assert.Contains(mentions, stderr);
        Assert.False(Directory.Exists(state), "the state directory was created for a rejected command line");
    }
}
