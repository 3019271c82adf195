using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// openclaw-node's setup-code input: a malformed or expired code (argument, file or environment) exits 2 before
/// anything is written, an unsafe code file exits 78, and no message repeats the code. Runs the real binary; no gateway.
/// </summary>
public sealed class EnrollmentCliInputTests
{
    private static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public async Task Malformed_and_expired_codes_exit_2_without_writing_or_echoing_the_code()
    {
        using var dir = new StateDir();
        string state = Path.Combine(dir.Path, "state");
        string expired = Encode("{\"url\":\"ws://127.0.0.1:1\",\"bootstrapToken\":\"secret-bootstrap-value\",\"expiresAtMs\":1000}");

        var (code, _, stderr) = await HostCli.RunAsync(null, "run", "--state-dir", state, "--pair", "oc-pair://not*valid");
        Assert.Equal(2, code);
        Assert.Contains("setup code is not valid", stderr);

        (code, _, stderr) = await HostCli.RunAsync(null, "run", "--state-dir", state, "--pair", expired);
        Assert.Equal(2, code);
        Assert.Contains("expired", stderr);
        Assert.DoesNotContain("secret-bootstrap-value", stderr);
        Assert.DoesNotContain(expired, stderr);

        (code, _, stderr) = await HostCli.RunWithEnvAsync(new Dictionary<string, string?> { ["OPENCLAW_SETUP_CODE"] = expired }, "run", "--state-dir", state);
        Assert.Equal(2, code);
        Assert.Contains("expired", stderr);
        Assert.DoesNotContain(expired, stderr);
        Assert.False(Directory.Exists(state), "the state directory was created for a rejected setup code");
    }

    [Fact]
    public async Task A_code_file_others_can_read_is_refused_with_78()
    {
        using var dir = new StateDir();
        Directory.CreateDirectory(dir.Path);
        string file = dir.File("code.txt");
        File.WriteAllText(file, Encode("{\"url\":\"ws://127.0.0.1:1\",\"bootstrapToken\":\"t\"}") + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var (code, _, stderr) = await HostCli.RunAsync(null, "run", "--state-dir", Path.Combine(dir.Path, "state"), "--pair-file", file);
        Assert.Equal(78, code);
        Assert.Contains("chmod 600", stderr);
        Assert.Contains("setup-code file", stderr);
    }
}
