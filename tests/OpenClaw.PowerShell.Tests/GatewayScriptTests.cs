using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// scripts/gateway.ps1 (the PowerShell twin of scripts/gateway.sh) run by a real PowerShell 7.6 engine (openclaw-pshost)
/// against the real gateway in .cache/openclaw-gateway (installed on first use, like the integration tests' gateway).
/// </summary>
public sealed class GatewayScriptTests
{
    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    private static string GatewayScript => Path.Combine(TestPaths.RepositoryRoot, "scripts", "gateway.ps1");

    /// <summary>Runs <c>gateway.ps1 &lt;command&gt; &lt;dir&gt; [args]</c> in openclaw-pshost; the script's exit code is
    /// the last stdout line, <c>EXIT=&lt;n&gt;</c>.</summary>
    private static (ProcessResult Result, int Exit) Gateway(string command, string dir, string args, TimeSpan timeout)
    {
        string script = string.Join("\n",
            "& " + Quote(GatewayScript) + " " + command + " " + Quote(dir) + " " + args,
            "'EXIT=' + $LASTEXITCODE");
        // The script's own readiness bound (per launch, up to 3 launches) stays inside the host's deadline.
        ProcessResult r = ChildProcess.RunPowerShell(script, timeout, ("OPENCLAW_GATEWAY_READY_TIMEOUT", "150"));
        string? last = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        Assert.True(last is not null && last.StartsWith("EXIT=", StringComparison.Ordinal), $"gateway.ps1 {command}: no exit line\n{r.Output}{r.Error}");
        return (r, int.Parse(last!["EXIT=".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Gateway_ps1_starts_a_real_gateway_with_a_config_patch_reports_it_running_and_stops_it()
    {
        string dir = Path.Combine(Path.GetTempPath(), "oc-gwps-" + Guid.NewGuid().ToString("N")[..8]);
        string gatewayJson = Path.Combine(dir, "gateway.json");
        bool stopped = false;
        try
        {
            (ProcessResult start, int startExit) = Gateway("start", dir, "-ConfigPatch '{\"plugins\":{\"enabled\":false}}'", TimeSpan.FromMinutes(9));
            Assert.True(startExit == 0 && start.ExitCode == 0, "start failed:\n" + start.Output + start.Error);

            // The patch reached the gateway's config, next to the script's own settings.
            JsonNode config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state", "openclaw.json")))!;
            Assert.False(config["plugins"]!["enabled"]!.GetValue<bool>());
            Assert.False(config["update"]!["checkOnStart"]!.GetValue<bool>());
            JsonNode info = JsonNode.Parse(File.ReadAllText(gatewayJson))!;
            int pid = info["pid"]!.GetValue<int>();
            Assert.Equal($"ws://127.0.0.1:{info["port"]!.GetValue<int>()}", info["url"]!.GetValue<string>());

            (ProcessResult status, int statusExit) = Gateway("status", dir, "| Out-Null", TimeSpan.FromMinutes(1));
            Assert.True(statusExit == 0, "status of the running gateway did not exit 0:\n" + status.Output + status.Error);

            (ProcessResult stop, int stopExit) = Gateway("stop", dir, "", TimeSpan.FromMinutes(2));
            stopped = stopExit == 0;
            Assert.True(stopExit == 0 && stop.ExitCode == 0, "stop failed:\n" + stop.Output + stop.Error);
            Assert.Contains($"gateway {pid} stopped", stop.Error);
            (_, int afterExit) = Gateway("status", dir, "| Out-Null", TimeSpan.FromMinutes(1));
            Assert.Equal(3, afterExit);
        }
        finally
        {
            // Always stop what this test started.
            if (!stopped && File.Exists(gatewayJson)) { ChildProcess.RunPowerShell("& " + Quote(GatewayScript) + " stop " + Quote(dir), TimeSpan.FromMinutes(2)); }
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
