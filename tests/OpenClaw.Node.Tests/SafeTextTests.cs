using OpenClaw.Node.Internal;
using Xunit;

namespace OpenClaw.Node.Tests;

public class SafeTextTests
{
    // AP-11: invisible and direction-changing characters are shown, not rendered.
    [Theory]
    [InlineData("ls\u202Etxt.exe", "ls\\u{202E}txt.exe")]
    [InlineData("rm\u200B -rf", "rm\\u{200B} -rf")]
    [InlineData("a\nb\rc", "a\\u{000A}b\\u{000D}c")]
    [InlineData("plain text\tok", "plain text\tok")]
    public void Invisible_characters_are_escaped(string input, string expected) => Assert.Equal(expected, SafeText.Escape(input));

    [Fact]
    public void Cyrillic_lookalikes_are_flagged()
    {
        Assert.True(SafeText.HasMixedScripts("curl evil.c\u043Em"));
        Assert.False(SafeText.HasMixedScripts("curl example.com"));
    }

    // SE-03: secrets in command lines are masked in logs.
    [Theory]
    [InlineData("export API_KEY=sk-abc123 && run", "sk-abc123")]
    [InlineData("curl -H \"Authorization: Bearer eyJhbGci.x.y\" https://x", "eyJhbGci.x.y")]
    [InlineData("tool --password hunter2 --user bob", "hunter2")]
    [InlineData("tool --token=abcdef", "abcdef")]
    [InlineData("env GITHUB_TOKEN=ghp_123 git push", "ghp_123")]
    [InlineData("mysql -u root PASSWORD=s3cr3t", "s3cr3t")]
    public void Secret_values_are_masked(string input, string secret)
    {
        string redacted = SafeText.Redact(input);
        Assert.DoesNotContain(secret, redacted);
        Assert.Contains("***", redacted);
    }

    [Fact]
    public void Ordinary_commands_are_left_alone() => Assert.Equal("git status --short", SafeText.Redact("git status --short"));
}
