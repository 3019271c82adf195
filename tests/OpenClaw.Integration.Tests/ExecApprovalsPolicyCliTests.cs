using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// <c>openclaw-node approvals set/allow</c> (the real binary, no gateway) under a machine policy file: an edit beyond the
/// floor exits 78 with the policy source and the floor named, and the file stays as it was; edits within it succeed.
/// </summary>
public sealed class ExecApprovalsPolicyCliTests
{
    [Fact]
    public async Task Local_edits_beyond_the_machine_policy_exit_78_naming_the_policy_and_write_nothing()
    {
        using var dir = new StateDir();
        using var policyDir = new StateDir();
        Directory.CreateDirectory(policyDir.Path);
        string policy = Path.Combine(policyDir.Path, "policy.json");
        File.WriteAllText(policy, "{\"version\":1,\"execApprovals\":{\"maxSecurity\":\"allowlist\",\"minAsk\":\"on-miss\",\"allowedPatterns\":[\"/usr/bin/*\"]}}");
        File.SetUnixFileMode(policy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (ok, _, okErr) = await HostCli.RunWithEnvAsync(MachinePolicyEndToEndTests.PolicyEnv(policy), "approvals", "set", "--security", "allowlist", "--ask", "on-miss", "--state-dir", dir.Path);
        Assert.True(ok == 0, okErr);
        string file = File.ReadAllText(dir.File("exec-approvals.json"));

        var (code, _, stderr) = await HostCli.RunWithEnvAsync(MachinePolicyEndToEndTests.PolicyEnv(policy), "approvals", "set", "--security", "full", "--state-dir", dir.Path);
        Assert.Equal(78, code);
        Assert.Contains("may not exceed the machine policy", stderr);
        Assert.Contains("security full is looser than the machine policy allows (allowlist at most; " + policy + ")", stderr);
        Assert.Equal(file, File.ReadAllText(dir.File("exec-approvals.json")));

        var (allowCode, _, allowErr) = await HostCli.RunWithEnvAsync(MachinePolicyEndToEndTests.PolicyEnv(policy), "approvals", "allow", "/opt/tools/deploy", "--agent", "main", "--state-dir", dir.Path);
        Assert.Equal(78, allowCode);
        Assert.Contains("allowlist entry '/opt/tools/deploy' is outside the machine policy's allowedPatterns (" + policy + ")", allowErr);
        Assert.Equal(file, File.ReadAllText(dir.File("exec-approvals.json")));

        var (inside, _, insideErr) = await HostCli.RunWithEnvAsync(MachinePolicyEndToEndTests.PolicyEnv(policy), "approvals", "allow", "/usr/bin/git", "--agent", "main", "--state-dir", dir.Path);
        Assert.True(inside == 0, insideErr);
        Assert.Contains("/usr/bin/git", File.ReadAllText(dir.File("exec-approvals.json")));
    }
}
