using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// The official OpenClaw node host (scripts/gateway.sh node-host) as a real child process, and the operator steps that
/// pair it: shared by the migration tests and the fleet scenario.
/// </summary>
internal static class OfficialNodeHost
{
    /// <summary>How long the official host may take to ask for, and get, its pairing.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(360);

    /// <summary>Starts the official node host for <paramref name="gateway"/> with its state in <paramref name="stateDir"/>.</summary>
    public static Process Start(RealGateway gateway, string stateDir, string name)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(RealGateway.RepoRoot, "scripts", "gateway.sh"), "node-host", gateway.Directory, stateDir, "--display-name", name }) { psi.ArgumentList.Add(a); }
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>SIGTERM, as a service manager stops it; the SQLite store is closed by the host itself.</summary>
    public static async Task StopAsync(Process official)
    {
        if (official.HasExited) { return; }
        Kill(official.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await official.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { official.Kill(true); }
    }

    /// <summary>
    /// Pairs a fresh official host named <paramref name="name"/> (device approval, restart, command-surface approval) and
    /// stops it; returns its device id. The official host pauses after PAIRING_REQUIRED until it is restarted
    /// (scripts/README-gateway.md), hence the two runs.
    /// </summary>
    public static async Task<string> PairAndStopAsync(RealGateway gateway, string stateDir, string name)
    {
        Directory.CreateDirectory(stateDir);
        await using (OperatorClient op0 = await gateway.OperatorAsync())
        {
            using Process first = Start(gateway, stateDir, name);
            try { await ApproveDeviceAsync(op0, name, first); }
            finally { await StopAsync(first); }
        }
        using Process officialHost = Start(gateway, stateDir, name);
        try
        {
            await using OperatorClient op = await gateway.OperatorAsync();
            return await PairAsync(op, name, officialHost);
        }
        finally
        {
            await StopAsync(officialHost);
        }
    }

    /// <summary>Waits for the official node's device pairing request and approves it.</summary>
    public static async Task ApproveDeviceAsync(OperatorClient op, string name, Process official)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Wait)
        {
            if (official.HasExited) { throw new InvalidOperationException($"The official node host exited with {official.ExitCode} before pairing."); }
            foreach (JsonNode? d in (await op.ListDevicePairingAsync(default)).Arr("pending") ?? new JsonArray())
            {
                if (d.Str("displayName") == name) { await op.ApproveDevicePairingAsync(d.Str("requestId")!, default); return; }
            }
            // Another process (the official host) makes progress on its own; there is no event to wait on here.
            await Task.Delay(250);
        }
        throw new TimeoutException($"The official node host '{name}' did not request device pairing within {Wait}.");
    }

    /// <summary>Approves the official node's device and command-surface requests until it is listed connected with system.which.</summary>
    public static async Task<string> PairAsync(OperatorClient op, string name, Process official)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Wait)
        {
            if (official.HasExited) { throw new InvalidOperationException($"The official node host exited with {official.ExitCode} before pairing."); }
            foreach (JsonNode? d in (await op.ListDevicePairingAsync(default)).Arr("pending") ?? new JsonArray())
            {
                if (d.Str("displayName") == name) { await op.ApproveDevicePairingAsync(d.Str("requestId")!, default); }
            }
            foreach (JsonNode? n in (await op.ListNodePairingAsync(default)).Arr("pending") ?? new JsonArray())
            {
                if (n.Str("displayName") == name) { await op.ApproveNodePairingAsync(n.Str("requestId")!, default); }
            }
            foreach (JsonNode? n in (await op.ListNodesAsync(default)).Arr("nodes") ?? new JsonArray())
            {
                if (n.Str("displayName") == name && n.Bool("connected") == true && n.Str("approvalState") == "approved"
                    && (n.StrArray("commands") ?? new List<string>()).Contains("system.which"))
                {
                    return n.Str("nodeId")!;
                }
            }
            // Another process (the official host) makes progress on its own; there is no event to wait on here.
            await Task.Delay(250);
        }
        throw new TimeoutException($"The official node host '{name}' was not paired and connected within {Wait}.");
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private static void Kill(int pid, int signal) => kill(pid, signal);
}
