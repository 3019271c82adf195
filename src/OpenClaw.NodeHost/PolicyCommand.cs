using System;
using System.CommandLine;
using System.Text;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Policy;
using OpenClaw.Node.Service;

namespace OpenClaw.NodeHost;

/// <summary>
/// <c>openclaw-node policy show [--json]</c>: the machine policy in force (sources, gateway, pin, exec-approvals floor,
/// display-name pattern, log level). Exit code 0 when there is none or it is usable, 78 when a source is broken (the
/// host then refuses to run).
/// </summary>
internal static class PolicyCommand
{
    /// <summary>Builds the <c>policy</c> command with its <c>show</c> subcommand.</summary>
    public static Command Create(Option<bool> json)
    {
        var show = new Command("show",
            "Show the machine policy in force: " + MachinePolicyLoader.UnixPolicyFile + " (Linux, macOS) or HKLM\\" + MachinePolicyLoader.RegistryKeyPath +
            " (Windows), plus the file named by " + MachinePolicyLoader.EnvironmentVariable + ". Exit code 78 when a source is unusable.")
        {
            json,
        };
        show.SetAction(pr => Show(pr.GetValue(json)));
        return new Command("policy", "Inspect the machine policy (fleet-wide limits that command-line options and exec-approvals.json cannot loosen).") { show };
    }

    private static int Show(bool json)
    {
        MachinePolicy policy = MachinePolicyLoader.Load();
        Console.Out.WriteLine(json ? Json.Indented(policy.ToJson()) : Text(policy));
        return policy.Error is null ? 0 : NodeHostExitCodes.Configuration;
    }

    /// <summary>The human-readable report.</summary>
    internal static string Text(MachinePolicy policy)
    {
        var b = new StringBuilder();
        b.AppendLine(policy.Describe());
        b.Append("  Looked at:   ").AppendLine(string.Join(", ", policy.CheckedSources));
        foreach (MachinePolicyLayer l in policy.Layers)
        {
            b.Append("  Source:      ").AppendLine(l.Source);
            if (l.GatewayHost is not null || l.GatewayPort is not null || l.RequireTls)
            {
                b.Append("    Gateway:   ").Append(l.GatewayHost ?? "(any host)").Append(':').Append(l.GatewayPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(any port)")
                    .AppendLine(l.RequireTls ? ", TLS required" : string.Empty);
            }
            if (l.TlsFingerprint is string f) { b.Append("    TLS pin:   sha256:").AppendLine(f); }
            if (l.DisplayNamePattern is string d) { b.Append("    Names:     ").AppendLine(d); }
            if (l.LogLevel is string lv) { b.Append("    Log level: ").AppendLine(lv); }
            var e = l.Exec;
            if (e.MaxSecurity is not null || e.MinAsk is not null || e.MaxAskFallback is not null || e.AutoAllowSkills is not null)
            {
                b.Append("    Exec:      security at most ").Append(e.MaxSecurity is { } s ? Node.Approvals.ExecModeNames.Name(s) : "full")
                    .Append(", ask at least ").Append(e.MinAsk is { } a ? Node.Approvals.ExecModeNames.Name(a) : "off")
                    .Append(", askFallback at most ").Append(e.MaxAskFallback is { } af ? Node.Approvals.ExecModeNames.Name(af) : "full")
                    .AppendLine(e.AutoAllowSkills == false ? ", autoAllowSkills forbidden" : string.Empty);
            }
            if (e.AllowedPatterns is { } al) { b.Append("    Allowed:   ").AppendLine(al.Count == 0 ? "(nothing)" : string.Join(", ", al)); }
            if (e.DeniedCommands.Count > 0) { b.Append("    Denied:    ").AppendLine(string.Join(", ", e.DeniedCommands)); }
        }
        return b.ToString().TrimEnd();
    }
}
