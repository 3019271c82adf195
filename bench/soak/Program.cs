using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Operator;
using OpenClaw.Node.State;

namespace OpenClaw.Soak;

/// <summary>Soak benchmark entry point (see bench/soak/README.md).</summary>
public static class Program
{
    private static string Root = string.Empty;

    /// <summary>Runs the soak; returns 0 when every invocation outside restart windows succeeded.</summary>
    public static async Task<int> Main(string[] args)
    {
        int restarts = 100, invocations = 10_000;
        string? hostPath = null;
        string? gatewayConfig = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--restarts": restarts = int.Parse(args[++i]); break;
                case "--invocations": invocations = int.Parse(args[++i]); break;
                case "--host": hostPath = args[++i]; break;
                case "--gateway-config": gatewayConfig = args[++i]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        Root = FindRoot();
        hostPath ??= Path.Combine(Root, "src", "OpenClaw.NodeHost", "bin", "Release", "net10.0", "openclaw-node");
        string gwDir = Path.Combine(Path.GetTempPath(), "oc-soak-gw-" + Guid.NewGuid().ToString("N")[..8]);
        string stateDir = Path.Combine(Path.GetTempPath(), "oc-soak-node-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(gwDir);
        string[] start = gatewayConfig is null ? new[] { "start", gwDir } : new[] { "start", gwDir, "--config-patch", gatewayConfig };
        await Script(start);
        var info = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(gwDir, "gateway.json")))!;
        int port = (int)info["port"]!;
        string token = (string)info["token"]!;
        var settings = new GatewaySettings { Host = "127.0.0.1", Port = port };

        var psi = new ProcessStartInfo(hostPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "run", "--host", "127.0.0.1", "--port", port.ToString(), "--state-dir", stateDir, "--json", "--display-name", "soak" }) { psi.ArgumentList.Add(a); }
        psi.Environment["OPENCLAW_GATEWAY_TOKEN"] = token;
        using var host = Process.Start(psi)!;
        host.OutputDataReceived += (_, _) => { };
        host.ErrorDataReceived += (_, _) => { };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        var rss = new List<long>();
        int ok = 0, failed = 0, round = 0;
        var recover = new List<double>();
        var total = Stopwatch.StartNew();
        try
        {
            string deviceId = await ApproveAsync(settings, token);
            Console.WriteLine($"host pid {host.Id}, device {deviceId[..12]}…, gateway port {port}; {restarts} restarts, {invocations} invocations");
            Console.WriteLine("round  invocations_ok  failed  rss_kib  recover_s  elapsed_s");
            int perRound = Math.Max(1, invocations / Math.Max(1, restarts));
            for (round = 1; round <= restarts; round++)
            {
                await using (OperatorClient op = await OperatorClient.ConnectAsync(new OperatorOptions { Gateway = settings, Token = token }, null, CancellationToken.None))
                {
                    for (int i = 0; i < perRound; i++)
                    {
                        try
                        {
                            JsonNode? r = i % 10 == 0
                                ? await op.InvokeAsync(deviceId, "system.run", new JsonObject { ["command"] = new JsonArray("echo", "soak" + i) }, 20000, CancellationToken.None)
                                : await op.InvokeAsync(deviceId, "system.which", new JsonObject { ["bins"] = new JsonArray("sh") }, 20000, CancellationToken.None);
                            if (r is null) { failed++; } else { ok++; }
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            failed++;
                            if (failed <= 5) { Console.Error.WriteLine($"round {round}: {ex.Message}"); }
                        }
                    }
                }
                long kib = TreeRssKib(host.Id);
                rss.Add(kib);
                var sw = Stopwatch.StartNew();
                if (round % 5 == 0) { await Script("kill", gwDir); } else { await Script("stop", gwDir); }
                await Script(start);
                await WaitServingAsync(settings, token, deviceId, TimeSpan.FromMinutes(3));
                recover.Add(sw.Elapsed.TotalSeconds);
                Console.WriteLine($"{round,5}  {ok,14}  {failed,6}  {kib,7}  {sw.Elapsed.TotalSeconds,9:0.0}  {total.Elapsed.TotalSeconds,9:0}");
                if (host.HasExited) { Console.WriteLine($"host exited with {host.ExitCode}"); break; }
            }
        }
        finally
        {
            if (!host.HasExited) { host.Kill(true); }
            try { await Script("stop", gwDir); } catch (InvalidOperationException) { }
            try { Directory.Delete(gwDir, true); Directory.Delete(stateDir, true); } catch (IOException) { }
        }
        int done = Math.Min(round, restarts);
        Console.WriteLine();
        Console.WriteLine($"restarts completed: {recover.Count} ({recover.Count / 5} by SIGKILL), invocations ok: {ok}, failed: {failed}");
        if (rss.Count > 0)
        {
            Console.WriteLine($"host RSS KiB: first {rss[0]}, min {rss.Min()}, max {rss.Max()}, last {rss[^1]}");
            Console.WriteLine($"recovery after restart s: median {Median(recover):0.0}, max {(recover.Count > 0 ? recover.Max() : 0):0.0}");
        }
        return failed == 0 ? 0 : 1;
    }

    private static double Median(List<double> xs)
    {
        if (xs.Count == 0) { return 0; }
        var s = xs.OrderBy(x => x).ToList();
        return s[s.Count / 2];
    }

    private static async Task<string> ApproveAsync(GatewaySettings settings, string token)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        await using OperatorClient op = await OperatorClient.ConnectAsync(new OperatorOptions { Gateway = settings, Token = token }, null, CancellationToken.None);
        while (DateTime.UtcNow < deadline)
        {
            JsonObject pairing = await op.ListNodePairingAsync(CancellationToken.None);
            if (pairing["pending"] is JsonArray pending && pending.FirstOrDefault(p => (string?)p?["displayName"] == "soak") is JsonNode req)
            {
                await op.ApproveNodePairingAsync((string)req["requestId"]!, CancellationToken.None);
                return (string)req["nodeId"]!;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException("the node's command-surface request did not appear");
    }

    private static async Task WaitServingAsync(GatewaySettings settings, string token, string deviceId, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                await using OperatorClient op = await OperatorClient.ConnectAsync(new OperatorOptions { Gateway = settings, Token = token }, null, CancellationToken.None);
                while (DateTime.UtcNow < deadline)
                {
                    try
                    {
                        await op.InvokeAsync(deviceId, "system.which", new JsonObject { ["bins"] = new JsonArray("sh") }, 5000, CancellationToken.None);
                        return;
                    }
                    catch (Exception) when (DateTime.UtcNow < deadline) { await Task.Delay(200); }
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline) { await Task.Delay(500); }
            if (DateTime.UtcNow >= deadline) { throw new TimeoutException("the host did not serve again after the restart"); }
        }
    }

    private static long TreeRssKib(int pid)
    {
        long sum = 0;
        var todo = new Stack<int>();
        todo.Push(pid);
        while (todo.Count > 0)
        {
            int p = todo.Pop();
            try
            {
                foreach (string line in File.ReadLines($"/proc/{p}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) { sum += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]); }
                }
                foreach (string c in File.ReadAllText($"/proc/{p}/task/{p}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)) { todo.Push(int.Parse(c)); }
            }
            catch (IOException) { }
        }
        return sum;
    }

    private static string FindRoot()
    {
        string? d = AppContext.BaseDirectory;
        while (d is not null && !File.Exists(Path.Combine(d, "OpenClaw.PowerShell.sln"))) { d = Path.GetDirectoryName(d); }
        return d ?? throw new InvalidOperationException("cannot find the repository root");
    }

    private static async Task Script(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(Root, "scripts", "gateway.sh"));
        foreach (string a in args) { psi.ArgumentList.Add(a); }
        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) { throw new InvalidOperationException($"gateway.sh {string.Join(" ", args)}: {await err}"); }
    }
}
