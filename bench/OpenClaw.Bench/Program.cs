using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

[assembly: UnsupportedOSPlatform("windows")]

namespace OpenClaw.Bench;

/// <summary>
/// Measures, for our host and for the official one, against the same real gateway, alternating, several rounds:
/// the time from spawning the host to the first system.which answered through the gateway (polled every 20 ms over a
/// persistent operator connection), and the resident memory of the host's whole process tree after an idle period.
/// Usage: bench.sh [--rounds N] [--idle-seconds S] [--ours PATH] [--skip-official]
/// </summary>
public static class Program
{
    private static string Repo = string.Empty;

    public static async Task<int> Main(string[] args)
    {
        int rounds = Arg(args, "--rounds", 3);
        int idle = Arg(args, "--idle-seconds", 20);
        bool skipOfficial = args.Contains("--skip-official");
        Repo = FindRepo();
        string ours = ArgS(args, "--ours") ?? Path.Combine(Repo, "src/OpenClaw.NodeHost/bin/Release/net10.0/openclaw-node");
        if (!File.Exists(ours)) { Console.Error.WriteLine($"Build the host first (dotnet build src/OpenClaw.NodeHost -c Release) or pass --ours: {ours} not found."); return 2; }

        string work = Path.Combine(Path.GetTempPath(), "oc-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        string gwDir = Path.Combine(work, "gateway");
        Run("bash", Path.Combine(Repo, "scripts/gateway.sh"), "install");
        Run("bash", Path.Combine(Repo, "scripts/gateway.sh"), "start", gwDir);
        var info = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(gwDir, "gateway.json")))!;
        int port = (int)info.Long("port")!;
        string token = info.Str("token")!;
        Console.WriteLine($"gateway: real openclaw 2026.9.6 on ws://127.0.0.1:{port}; {rounds} rounds, {idle} s idle; our binary: {ours}");

        var hosts = new List<HostSpec> { new("ours", ours, Path.Combine(work, "ours"), "bench-ours") };
        if (!skipOfficial) { hosts.Add(new("official", null, Path.Combine(work, "official"), "bench-official")); }
        try
        {
            await using OperatorClient op = await OperatorClient.ConnectAsync(new OperatorOptions { Gateway = new GatewaySettings { Port = port }, Token = token }, null, default);
            // Warm-up: pair each host once (device and command surface), so rounds measure an already-approved start.
            foreach (HostSpec h in hosts)
            {
                using Process p = Spawn(h, port, token, gwDir);
                h.NodeId = await PairAsync(op, h.Name, TimeSpan.FromMinutes(2));
                await StopAsync(p);
            }
            for (int r = 1; r <= rounds; r++)
            {
                foreach (HostSpec h in hosts)
                {
                    var watch = Stopwatch.StartNew();
                    using Process p = Spawn(h, port, token, gwDir);
                    double ms = await FirstWhichAsync(op, h.NodeId!, watch, TimeSpan.FromMinutes(2));
                    await Task.Delay(TimeSpan.FromSeconds(idle));
                    (long rss, int procs) = TreeRss(p.Id);
                    double invokeMs = await InvokeLatencyAsync(op, h.NodeId!, 20);
                    await StopAsync(p);
                    h.Ready.Add(ms);
                    h.RssKb.Add(rss);
                    h.InvokeMs.Add(invokeMs);
                    Console.WriteLine($"round {r} {h.Label,-9} first system.which after {ms,7:0} ms   idle RSS {rss / 1024.0,7:0.0} MiB in {procs} process(es)   system.which round trip {invokeMs,5:0.0} ms (median of 20)");
                }
            }
        }
        finally
        {
            Run("bash", Path.Combine(Repo, "scripts/gateway.sh"), "stop", gwDir);
        }
        Console.WriteLine();
        Console.WriteLine("host       start->first which (ms) median [min..max]   idle RSS (MiB) median [min..max]   which round trip (ms) median");
        foreach (HostSpec h in hosts)
        {
            Console.WriteLine($"{h.Label,-10} {Median(h.Ready),8:0} [{h.Ready.Min(),6:0}..{h.Ready.Max(),6:0}]              {Median(h.RssKb.Select(x => (double)x)) / 1024,7:0.0} [{h.RssKb.Min() / 1024.0:0.0}..{h.RssKb.Max() / 1024.0:0.0}]           {Median(h.InvokeMs),6:0.0}");
        }
        return 0;
    }

    private sealed class HostSpec
    {
        public HostSpec(string label, string? binary, string state, string name) { Label = label; Binary = binary; State = state; Name = name; }
        public string Label { get; }
        public string? Binary { get; }
        public string State { get; }
        public string Name { get; }
        public string? NodeId { get; set; }
        public List<double> Ready { get; } = new();
        public List<long> RssKb { get; } = new();
        public List<double> InvokeMs { get; } = new();
    }

    private static Process Spawn(HostSpec h, int port, string token, string gwDir)
    {
        ProcessStartInfo psi;
        if (h.Binary is not null)
        {
            psi = new ProcessStartInfo(h.Binary);
            foreach (string a in new[] { "run", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--state-dir", h.State, "--display-name", h.Name }) { psi.ArgumentList.Add(a); }
        }
        else
        {
            psi = new ProcessStartInfo("bash");
            foreach (string a in new[] { Path.Combine(Repo, "scripts/gateway.sh"), "node-host", gwDir, h.State, "--display-name", h.Name }) { psi.ArgumentList.Add(a); }
        }
        psi.Environment["OPENCLAW_GATEWAY_TOKEN"] = token;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<string> PairAsync(OperatorClient op, string name, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
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
            await Task.Delay(200);
        }
        throw new TimeoutException($"{name} did not pair within {timeout}.");
    }

    private static async Task<double> FirstWhichAsync(OperatorClient op, string nodeId, Stopwatch watch, TimeSpan timeout)
    {
        while (watch.Elapsed < timeout)
        {
            try
            {
                JsonNode? r = await op.InvokeAsync(nodeId, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 2000, default);
                if (r.Obj("bins").Str("sh") is not null) { return watch.Elapsed.TotalMilliseconds; }
            }
            catch (GatewayException) { }
            await Task.Delay(20);
        }
        throw new TimeoutException("No system.which answer in time.");
    }

    private static async Task<double> InvokeLatencyAsync(OperatorClient op, string nodeId, int count)
    {
        var times = new List<double>();
        for (int i = 0; i < count; i++)
        {
            var w = Stopwatch.StartNew();
            await op.InvokeAsync(nodeId, "system.which", new JsonObject { ["bins"] = Json.ToArray(new[] { "sh" }) }, 5000, default);
            times.Add(w.Elapsed.TotalMilliseconds);
        }
        return Median(times);
    }

    private static async Task StopAsync(Process p)
    {
        foreach (int pid in Descendants(p.Id).Append(p.Id)) { try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { } }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await p.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { p.Kill(true); }
    }

    /// <summary>Sum of VmRSS over the process and all its descendants, excluding the bash launcher.</summary>
    private static (long Kb, int Count) TreeRss(int root)
    {
        long total = 0;
        int count = 0;
        foreach (int pid in Descendants(root).Append(root))
        {
            try
            {
                string comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
                if (comm == "bash") { continue; }
                string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (line is null) { continue; }
                total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                count++;
            }
            catch (IOException) { }
        }
        return (total, count);
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) { continue; }
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (!children.TryGetValue(ppid, out var list)) { children[ppid] = list = new List<int>(); }
                list.Add(pid);
            }
            catch (IOException) { }
        }
        var result = new List<int>();
        var stack = new Stack<int>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            foreach (int c in children.GetValueOrDefault(stack.Pop()) ?? new List<int>()) { result.Add(c); stack.Push(c); }
        }
        return result;
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (string a in args) { psi.ArgumentList.Add(a); }
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed with {p.ExitCode}"); }
    }

    private static string FindRepo()
    {
        string? d = AppContext.BaseDirectory;
        while (d is not null && !File.Exists(Path.Combine(d, "OpenClaw.PowerShell.sln"))) { d = Path.GetDirectoryName(d); }
        return d ?? Directory.GetCurrentDirectory();
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) ? v : fallback;
    }

    private static string? ArgS(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
