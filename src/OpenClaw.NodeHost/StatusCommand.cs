using System;
using System.CommandLine;
using System.Globalization;
using System.Text;
using OpenClaw.Node.Approvals;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Service;
using OpenClaw.Node.Status;

namespace OpenClaw.NodeHost;

/// <summary>
/// <c>openclaw-node status [--state-dir DIR] [--json]</c>: is this node healthy? Reads the state directory and the service
/// manager only (no gateway, no token). Exit codes, for scripts and Intune detection: 0 healthy (running, connected,
/// commands approved, exec policy usable), 1 the host runs but is not healthy (connecting, pairing or command approval
/// pending, unusable exec-approvals.json), 3 the host does not run (never started here, stopped, failed, killed, hung).
/// </summary>
internal static class StatusCommand
{
    /// <summary>Builds the command; <paramref name="probe"/> asks the service manager (null: reported as not installed).</summary>
    public static Command Create(Option<string?> stateDir, Option<bool> json, INodeServiceProbe? probe = null)
    {
        var status = new Command("status",
            "Show whether this node is healthy: service, host process, gateway, connection, pairing and exec policy. Needs no token. " +
            "Exit code 0 healthy, 1 running but not healthy, 3 not running.")
        {
            stateDir, json,
        };
        status.SetAction(pr => Run(pr.GetValue(stateDir), pr.GetValue(json), probe));
        return status;
    }

    private static int Run(string? stateDir, bool json, INodeServiceProbe? probe)
    {
        NodeStatus s = NodeStatusReader.Read(stateDir, probe);
        (string browserLine, System.Text.Json.Nodes.JsonObject browserJson) = OpenClaw.Node.Browser.BrowserProxyFeature.Describe(s.StateDirectory);
        if (json)
        {
            System.Text.Json.Nodes.JsonObject j = s.ToJson();
            j["browser"] = browserJson;
            Console.Out.WriteLine(Json.Indented(j));
        }
        else
        {
            Console.Out.WriteLine(Text(s) + Environment.NewLine + "  " + "Browser:".PadRight(13) + browserLine);
        }
        return s.ExitCode;
    }

    /// <summary>The human-readable report: the summary line, then one line per part.</summary>
    internal static string Text(NodeStatus s)
    {
        var b = new StringBuilder();
        b.AppendLine(s.Summary);
        Line(b, "Healthy", YesNo(s.Healthy));
        Line(b, "Connected", YesNo(s.Connected));
        Line(b, "Service", s.Service.Installed
            ? $"{s.Service.Manager} {s.Service.Name} ({s.Service.Scope ?? "?"}), {(s.Service.Running ? "running" : "not running")}{(s.Service.ProcessId is int sp ? ", pid " + sp.ToString(CultureInfo.InvariantCulture) : string.Empty)}{(s.Service.DefinitionPath is string dp ? ", " + dp : string.Empty)}"
            : "not installed");
        var host = new StringBuilder(s.Host.State.ToString());
        if (s.Host.ProcessId is int pid) { host.Append(", pid ").Append(pid.ToString(CultureInfo.InvariantCulture)); }
        if (s.Host.Version is string v) { host.Append(", version ").Append(v); }
        if (s.Host.Uptime is TimeSpan up) { host.Append(", up ").Append(NodeStatus.Short(up)); }
        if (s.Host.HeartbeatAt is DateTimeOffset hb) { host.Append(", heartbeat ").Append(NodeStatus.Short(s.CheckedAt - hb)).Append(" ago"); }
        if (s.Host.ExitCode is int ec) { host.Append(", exit code ").Append(ec.ToString(CultureInfo.InvariantCulture)); }
        Line(b, "Host", host.ToString());
        if (s.Host.DeviceId is string id) { Line(b, "Device", id + (s.Host.DisplayName is string dn ? $" ('{dn}')" : string.Empty)); }
        Line(b, "Gateway", s.Gateway.Url is null ? "unknown" : s.Gateway.Url + (s.Gateway.TlsFingerprint is string fp ? ", pinned sha256:" + fp : string.Empty));
        var conn = new StringBuilder(s.Connection.State?.ToString() ?? (s.Connection.LastKnownState is { } lk ? $"none (last known: {lk})" : "none"));
        if (s.Connection.Since is DateTimeOffset since) { conn.Append(" since ").Append(NodeStatusFile.Iso(since)); }
        conn.Append(", reconnect attempts ").Append(s.Connection.ReconnectAttempts.ToString(CultureInfo.InvariantCulture));
        conn.Append(", disconnects ").Append(s.Connection.Disconnects.ToString(CultureInfo.InvariantCulture));
        Line(b, "Connection", conn.ToString());
        if (s.Connection.LastError is string e)
        {
            Line(b, "Last error", $"{e} ({s.Connection.LastErrorKind}{(s.Connection.LastErrorAt is DateTimeOffset at ? ", " + NodeStatusFile.Iso(at) : string.Empty)})");
        }
        Line(b, "Pairing", $"device {Approval(s.Pairing.DeviceApproved)}, commands {Approval(s.Pairing.CommandSurfaceApproved)}" +
            (s.Pairing.PendingRequestId is string req ? $", pending request {req}" : string.Empty));
        Line(b, "Exec policy", s.Policy.Error is string pe
            ? "unusable, every command is denied: " + pe
            : $"agent '{s.Policy.AgentId}': security={(s.Policy.Security is ExecSecurity sec ? ExecModeNames.Name(sec) : "?")}, ask={(s.Policy.Ask is ExecAsk ask ? ExecModeNames.Name(ask) : "?")} (from {s.Policy.Source}{(s.Policy.FileExists ? string.Empty : ", no exec-approvals.json")})");
        Line(b, "Fleet rules", s.MachinePolicy.Error is string mpe
            ? "machine policy UNUSABLE, the host refuses to run and every command is denied: " + mpe
            : s.MachinePolicy.InForce ? s.MachinePolicy.Summary : "no machine policy");
        Line(b, "State dir", s.StateDirectory);
        return b.ToString().TrimEnd();
    }

    private static void Line(StringBuilder b, string label, string value) => b.Append("  ").Append((label + ":").PadRight(13)).AppendLine(value);

    private static string YesNo(bool v) => v ? "yes" : "no";

    private static string Approval(bool? v) => v switch { true => "approved", false => "pending approval", _ => "unknown" };
}
