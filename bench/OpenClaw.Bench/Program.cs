using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Text;
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
/// Side-by-side benchmark of our node host, the official TypeScript host and an in-process floor responder against
/// one real gateway (see bench/README.md for what each figure means). Not a test: it never passes or fails.
/// </summary>
public static class Program
{
    private static string Repo = string.Empty;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly List<string> Log = new();

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 4 && args[0] == "floor-node") { return await Floor.RunAsync(int.Parse(args[1], Inv), Environment.GetEnvironmentVariable("OPENCLAW_GATEWAY_TOKEN") ?? "", args[2], args[3]); }
        var o = new Options(args);
        Repo = FindRepo();
        string ours = o.Str("--ours") ?? DefaultOurs();
        if (!File.Exists(ours)) { Console.Error.WriteLine($"Publish or build the host first (scripts/publish.sh, or dotnet build src/OpenClaw.NodeHost -c Release), or pass --ours: {ours} not found."); return 2; }
        string kind = o.Str("--ours-kind") ?? BinaryKind(ours);
        var oursEnv = o.All("--ours-env").Select(e => e.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        // --smoke: a short run of our host alone (pairs, answers system.which and system.run), exit 1 on any error.
        bool smoke = o.Has("--smoke");
        int rounds = smoke ? 1 : o.Int("--rounds", 3);
        int idle = smoke ? 2 : o.Int("--idle-seconds", 10);
        int seq = smoke ? 20 : o.Int("--seq", 200);
        int conc = o.Int("--concurrency", 20);
        int total = smoke ? 40 : o.Int("--throughput-count", 400);
        int[] fleet = (smoke ? "" : o.Str("--fleet") ?? "10,50,100").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, Inv)).Where(n => n > 0).ToArray();
        int officialFleet = o.Int("--official-fleet", 10);
        bool skipOfficial = smoke || o.Has("--skip-official");
        string? jsonOut = o.Str("--json");

        string work = Path.Combine(Path.GetTempPath(), "oc-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        string gwDir = Path.Combine(work, "gateway");
        string loadBefore = File.ReadAllText("/proc/loadavg").Trim();
        Run("bash", Path.Combine(Repo, "scripts/gateway.sh"), "install");
        // All bench hosts connect from 127.0.0.1, and the gateway admits at most 32 unauthenticated sockets per client IP
        // (OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP, default 32; more get HTTP 503 "Too many unauthenticated sockets").
        // A real fleet connects from one address per machine; the bench raises the budget so N hosts on one machine are
        // admitted like N machines would be (the gateway inherits it through scripts/gateway.sh).
        int preauth = Math.Max(32, 2 * fleet.DefaultIfEmpty(0).Max());
        Environment.SetEnvironmentVariable("OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP", preauth.ToString(Inv));
        Run("bash", Path.Combine(Repo, "scripts/gateway.sh"), "start", gwDir);
        var info = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(gwDir, "gateway.json")))!;
        int port = (int)info.Long("port")!;
        string token = info.Str("token")!;
        Say($"gateway: real openclaw on ws://127.0.0.1:{port}; {rounds} rounds, {idle} s idle; load before: {loadBefore}");
        Say($"ours: {ours} ({kind}){(oursEnv.Count > 0 ? " env " + string.Join(' ', oursEnv.Select(kv => kv.Key + "=" + kv.Value)) : "")}");

        var hosts = new List<HostSpec> { new("ours", ours, Path.Combine(work, "ours"), "bench-ours", oursEnv) };
        if (!skipOfficial) { hosts.Add(new("official", null, Path.Combine(work, "official"), "bench-official", new())); }
        // Other builds or settings of ours, measured in the rounds beside it: --extra "label=path[;NAME=VALUE...]".
        foreach (string e in o.All("--extra"))
        {
            string[] parts = e.Split(';');
            string[] lp = parts[0].Split('=', 2);
            if (lp.Length != 2 || !File.Exists(lp[1])) { Console.Error.WriteLine($"--extra {e}: expected label=path-to-openclaw-node[;NAME=VALUE...] with an existing file."); return 2; }
            var env = parts.Skip(1).Select(x => x.Split('=', 2)).Where(x => x.Length == 2).ToDictionary(x => x[0], x => x[1]);
            hosts.Add(new HostSpec(lp[0], lp[1], Path.Combine(work, "extra-" + lp[0]), "bench-extra-" + lp[0], env));
            Say($"extra: {lp[0]} = {lp[1]} ({BinaryKind(lp[1])}){(env.Count > 0 ? " env " + string.Join(' ', env.Select(kv => kv.Key + "=" + kv.Value)) : "")}");
        }
        // The floor: the NativeAOT responder (bench/OpenClaw.Floor, --floor PATH) or, without it, this program's JIT floor-node.
        string? floorBin = o.Str("--floor");
        if (floorBin is not null && !File.Exists(floorBin)) { Console.Error.WriteLine($"--floor {floorBin}: not found (dotnet publish bench/OpenClaw.Floor -c Release -r linux-x64 -p:OpenClawAot=true -o DIR)."); return 2; }
        string floorKind = floorBin is null ? "JIT floor-node (this bench process)" : "NativeAOT openclaw-floor " + floorBin;
        Say($"floor: {floorKind}");
        // --floor-no-inline: the AOT floor a second time without inline socket completions, measured in the same rounds.
        if (floorBin is not null && o.Has("--floor-no-inline"))
        {
            hosts.Add(new HostSpec("floor-noinl", floorBin, Path.Combine(work, "floor-noinl"), "bench-floor-noinl", new() { ["OPENCLAW_FLOOR_NO_INLINE"] = "1" }) { IsFloor = true });
        }
        var floorSpec = new HostSpec("floor", floorBin, Path.Combine(work, "floor"), "bench-floor", new()) { IsFloor = true };
        hosts.Add(floorSpec);
        var result = new JsonObject
        {
            ["bench"] = "openclaw-node",
            ["utc"] = DateTime.UtcNow.ToString("o", Inv),
            ["ours"] = new JsonObject { ["path"] = ours, ["kind"] = kind, ["env"] = string.Join(' ', oursEnv.Select(kv => kv.Key + "=" + kv.Value)) },
            ["rounds"] = rounds,
            ["idleSeconds"] = idle,
            ["loadBefore"] = loadBefore,
            ["floor"] = floorKind,
        };
        try
        {
            await using OperatorClient op = await OperatorClient.ConnectAsync(new OperatorOptions { Gateway = new GatewaySettings { Port = port }, Token = token }, null, default);
            // Pair each host once (device and command surface), so rounds measure an already-approved start.
            foreach (HostSpec h in hosts)
            {
                PrepareState(h);
                using Process p = Spawn(h, port, token, gwDir);
                h.NodeId = await PairAsync(op, new[] { h.Name }, TimeSpan.FromMinutes(3)).ContinueWith(t => t.Result[h.Name], TaskScheduler.Default);
                await StopAsync(p);
            }
            for (int r = 1; r <= rounds; r++)
            {
                foreach (HostSpec h in hosts) { await RoundAsync(op, h, r, port, token, gwDir, idle, seq, conc, total); }
            }
            var fleetJson = new JsonArray();
            foreach (int n in fleet) { fleetJson.Add(await FleetAsync(op, "ours", ours, oursEnv, n, port, token, gwDir, work, idle)); }
            if (!skipOfficial && officialFleet > 0) { fleetJson.Add(await FleetAsync(op, "official", null, new(), officialFleet, port, token, gwDir, work, idle)); }
            result["fleet"] = fleetJson;
        }
        finally
        {
            Run("bash", Path.Combine(Repo, "scripts/gateway.sh"), "stop", gwDir);
        }
        string loadAfter = File.ReadAllText("/proc/loadavg").Trim();
        result["loadAfter"] = loadAfter;
        Say($"load after: {loadAfter}");
        hosts.Remove(floorSpec);
        var all = new List<HostSpec>(hosts) { floorSpec };
        PrintTable(all);
        var hj = new JsonObject();
        foreach (HostSpec h in all) { hj[h.Label] = h.ToJson(); }
        result["hosts"] = hj;
        if (hosts.FirstOrDefault(h => h.Label == "official") is HostSpec official) { result["ratios"] = Ratios(hosts[0], official); }
        string line = result.ToJsonString();
        Console.WriteLine();
        Console.WriteLine(line);
        if (jsonOut is not null) { File.AppendAllText(jsonOut, line + "\n"); }
        if (smoke)
        {
            HostSpec me = all[0];
            bool ok = me.Errors == 0 && me.Ready.Count == 1 && me.Which.Count == seq && me.RunTrue.Count == seq;
            Console.WriteLine(ok ? $"smoke: {kind} host answered system.which and system.run through the real gateway without errors"
                                 : $"smoke: FAILED ({me.Errors} errors)");
            return ok ? 0 : 1;
        }
        return 0;
    }

    // ------------------------------------------------------------------ one round of one host

    private static async Task RoundAsync(OperatorClient op, HostSpec h, int round, int port, string token, string gwDir, int idle, int seq, int conc, int total)
    {
        var watch = Stopwatch.StartNew();
        using Process p = Spawn(h, port, token, gwDir);
        double ms;
        try { ms = await FirstWhichAsync(op, h.NodeId!, watch, TimeSpan.FromMinutes(4)); }
        catch (TimeoutException)
        {
            // A host that does not come up in time (e.g. on a badly overloaded machine) costs its round, not the run.
            await StopAsync(p);
            h.Errors++;
            Say($"round {round} {h.Label,-8} no system.which answer within 4 minutes of start: round skipped");
            return;
        }
        await Task.Delay(TimeSpan.FromSeconds(idle));
        Mem idleMem = TreeMem(p.Id);
        h.Ready.Add(ms);
        // The JIT floor is this bench program (its memory says nothing); the AOT floor's is shown.
        if (!h.IsFloor || h.Binary is not null) { h.IdleRss.Add(idleMem.RssKb); h.IdlePss.Add(idleMem.PssKb); }

        List<double> which = await SequentialAsync(op, h.NodeId!, "system.which", WhichParams(), seq);
        h.Which.AddRange(which);
        (double c0, double k0) = TreeCpuSeconds(p.Id);
        (double whichRate, int whichErr) = await ThroughputAsync(op, h.NodeId!, "system.which", WhichParams(), conc, total);
        (double c1, double k1) = TreeCpuSeconds(p.Id);
        h.WhichRate.Add(whichRate);
        h.WhichCpuPer1000.Add((c1 - c0) / total * 1000);
        h.Errors += whichErr;
        if (h.IsFloor)
        {
            Mem floorLoad = TreeMem(p.Id);
            await StopAsync(p);
            if (h.Binary is not null) { h.LoadRss.Add(floorLoad.RssKb); h.LoadPss.Add(floorLoad.PssKb); }
            string mem = h.Binary is null ? "" : $" | idle RSS {idleMem.RssKb / 1024.0,6:0.0} PSS {idleMem.PssKb / 1024.0,6:0.0} MiB, after load RSS {floorLoad.RssKb / 1024.0,6:0.0} PSS {floorLoad.PssKb / 1024.0,6:0.0}";
            Say($"round {round} {h.Label,-8} first which {ms,6:0} ms | which p50 {Pct(which, 50),6:0.00} p99 {Pct(which, 99),6:0.00} ms | x{conc}: which {whichRate,5:0}/s err {whichErr} | CPU s/1000 which {h.WhichCpuPer1000[^1]:0.000}{mem}");
            return;
        }
        List<double> run = await SequentialAsync(op, h.NodeId!, "system.run", RunParams("true"), seq);
        (c0, k0) = TreeCpuSeconds(p.Id);
        (double runRate, int runErr) = await ThroughputAsync(op, h.NodeId!, "system.run", RunParams("true"), conc, total);
        (c1, k1) = TreeCpuSeconds(p.Id);
        Mem loadMem = TreeMem(p.Id);
        (double bigMs, long bigBytes, string bigNote) = await BigOutputAsync(op, h.NodeId!);
        await StopAsync(p);

        h.LoadRss.Add(loadMem.RssKb); h.LoadPss.Add(loadMem.PssKb);
        h.RunTrue.AddRange(run);
        h.RunRate.Add(runRate);
        h.RunCpuPer1000.Add((c1 - c0) / total * 1000);
        h.RunChildCpuPer1000.Add((k1 - k0) / total * 1000);
        h.Errors += runErr;
        h.BigMs.Add(bigMs); h.BigBytes = bigBytes; h.BigNote = bigNote;
        Say($"round {round} {h.Label,-8} first which {ms,6:0} ms | idle RSS {idleMem.RssKb / 1024.0,6:0.0} PSS {idleMem.PssKb / 1024.0,6:0.0} MiB ({idleMem.Procs} proc) | "
            + $"which p50 {Pct(which, 50),6:0.00} run p50 {Pct(run, 50),6:0.00} ms | x{conc}: which {whichRate,5:0}/s run {runRate,5:0}/s err {whichErr + runErr} | "
            + $"host CPU s/1000: which {h.WhichCpuPer1000[^1]:0.000} run {h.RunCpuPer1000[^1]:0.000} (+{h.RunChildCpuPer1000[^1]:0.000} in the run processes) | after load RSS {loadMem.RssKb / 1024.0,6:0.0} PSS {loadMem.PssKb / 1024.0,6:0.0} | 5 MB run {bigMs,5:0} ms {bigBytes} B {bigNote}");
    }

    // ------------------------------------------------------------------ fleet

    private static async Task<JsonObject> FleetAsync(OperatorClient op, string label, string? binary, Dictionary<string, string> env, int n, int port, string token, string gwDir, string work, int idle)
    {
        var specs = Enumerable.Range(1, n).Select(i => new HostSpec(label, binary, Path.Combine(work, $"fleet-{label}-{i:000}"), $"bench-fleet-{label}-{i:000}", env)).ToList();
        foreach (HostSpec s in specs.Where(s => !Directory.Exists(s.State))) { PrepareState(s); }
        var unpaired = specs.Where(s => !File.Exists(Path.Combine(s.State, ".paired"))).ToList();
        double pairMs = double.NaN;
        if (unpaired.Count > 0)
        {
            // First start of new hosts: pair them (device and command surface), then stop; the measured start below is a paired restart.
            var pw = Stopwatch.StartNew();
            var procs = unpaired.Select(s => Spawn(s, port, token, gwDir)).ToList();
            Dictionary<string, string> ids = await PairAsync(op, unpaired.Select(s => s.Name).ToArray(), TimeSpan.FromMinutes(10));
            pairMs = pw.Elapsed.TotalMilliseconds;
            foreach (HostSpec s in unpaired) { s.NodeId = ids[s.Name]; File.WriteAllText(Path.Combine(s.State, ".paired"), s.NodeId); }
            await Task.WhenAll(procs.Select(StopAsync));
            foreach (Process p in procs) { p.Dispose(); }
        }
        foreach (HostSpec s in specs) { s.NodeId ??= File.ReadAllText(Path.Combine(s.State, ".paired")); }

        var watch = Stopwatch.StartNew();
        var running = specs.Select(s => Spawn(s, port, token, gwDir)).ToList();
        var errors = 0;
        var why = new Dictionary<string, int>(StringComparer.Ordinal);
        double allUsableMs;
        List<double> lat = new();
        Mem mem;
        try
        {
            var firsts = specs.Select(s => FirstWhichAsync(op, s.NodeId!, watch, TimeSpan.FromMinutes(5), pollMs: Math.Max(20, n * 10))).ToList();
            await Task.WhenAll(firsts);
            allUsableMs = watch.Elapsed.TotalMilliseconds;
            await Task.Delay(TimeSpan.FromSeconds(idle));
            mem = running.Select(p => TreeMem(p.Id)).Aggregate(new Mem(0, 0, 0), (a, b) => new Mem(a.RssKb + b.RssKb, a.PssKb + b.PssKb, a.Procs + b.Procs));
            // Invoke latency across the fleet: every host twice, in turn, one at a time.
            for (int k = 0; k < 2; k++)
            {
                foreach (HostSpec s in specs)
                {
                    var w = Stopwatch.StartNew();
                    try { await op.InvokeAsync(s.NodeId!, "system.which", WhichParams(), 10000, default); lat.Add(w.Elapsed.TotalMilliseconds); }
                    catch (GatewayException ex) { errors++; NoteError(why, s.Name, ex); }
                }
            }
            // All hosts at once: one system.which each, concurrently.
            var cw = Stopwatch.StartNew();
            var burst = await Task.WhenAll(specs.Select(async s =>
            {
                try { await op.InvokeAsync(s.NodeId!, "system.which", WhichParams(), 30000, default); return 0; }
                catch (GatewayException ex) { lock (why) { NoteError(why, s.Name, ex); } return 1; }
            }));
            errors += burst.Sum();
            // Which side failed: the gateway's own refusals (e.g. "worker task capacity reached: code=overloaded") or a host.
            foreach (var e in why.OrderByDescending(e => e.Value)) { Say($"fleet {label} x{n}: error x{e.Value}: {e.Key}"); }
            double burstMs = cw.Elapsed.TotalMilliseconds;
            var j = new JsonObject
            {
                ["host"] = label, ["n"] = n, ["pairFirstStartMs"] = double.IsNaN(pairMs) ? null : Math.Round(pairMs),
                ["allUsableMs"] = Math.Round(allUsableMs), ["totalRssMiB"] = Math.Round(mem.RssKb / 1024.0, 1), ["totalPssMiB"] = Math.Round(mem.PssKb / 1024.0, 1),
                ["perHostPssMiB"] = Math.Round(mem.PssKb / 1024.0 / n, 1), ["processes"] = mem.Procs,
                ["whichP50Ms"] = Math.Round(Pct(lat, 50), 2), ["whichP95Ms"] = Math.Round(Pct(lat, 95), 2), ["whichP99Ms"] = Math.Round(Pct(lat, 99), 2),
                ["burstAllMs"] = Math.Round(burstMs), ["errors"] = errors,
            };
            Say($"fleet {label} x{n}: all usable after {allUsableMs,7:0} ms{(double.IsNaN(pairMs) ? "" : $" (first start incl. pairing {pairMs:0} ms)")} | total RSS {mem.RssKb / 1024.0,7:0.0} PSS {mem.PssKb / 1024.0,7:0.0} MiB ({mem.PssKb / 1024.0 / n:0.0} PSS/host, {mem.Procs} proc) | "
                + $"which across hosts p50 {Pct(lat, 50):0.0} p95 {Pct(lat, 95):0.0} p99 {Pct(lat, 99):0.0} ms | one each, all at once: {burstMs:0} ms | errors {errors}");
            return j;
        }
        finally
        {
            await Task.WhenAll(running.Select(StopAsync));
            foreach (Process p in running) { p.Dispose(); }
        }
    }

    // ------------------------------------------------------------------ measurements

    private static void NoteError(Dictionary<string, int> why, string host, GatewayException ex)
    {
        string key = $"{ex.Code ?? ex.Kind.ToString()}: {(ex.Message.Length > 140 ? ex.Message[..140] : ex.Message)}";
        why[key] = why.TryGetValue(key, out int c) ? c + 1 : 1;
    }

    private static JsonObject WhichParams() => new() { ["bins"] = Json.ToArray(new[] { "sh" }) };

    private static JsonObject RunParams(params string[] argv) => new() { ["command"] = Json.ToArray(argv) };

    // pollMs: pause between attempts. 20 ms for one host (start-time resolution); a fleet polls each host less often
    // (N x 10 ms), because N hosts polled every 20 ms flood the gateway with node.invoke for nodes that are not
    // connected yet (each a "node wake" on the gateway), which slowed its connect handling past the 15 s handshake
    // limit at N = 50 and kept a host out (the failure of session 2's fleet run).
    private static async Task<double> FirstWhichAsync(OperatorClient op, string nodeId, Stopwatch watch, TimeSpan timeout, int pollMs = 20)
    {
        while (watch.Elapsed < timeout)
        {
            try
            {
                JsonNode? r = await op.InvokeAsync(nodeId, "system.which", WhichParams(), 2000, default);
                if (r.Obj("bins").Str("sh") is not null) { return watch.Elapsed.TotalMilliseconds; }
            }
            catch (GatewayException) { }
            await Task.Delay(pollMs);
        }
        throw new TimeoutException($"No system.which answer from {nodeId} in time.");
    }

    private static async Task<List<double>> SequentialAsync(OperatorClient op, string nodeId, string command, JsonObject parameters, int count)
    {
        for (int i = 0; i < 5; i++) { await op.InvokeAsync(nodeId, command, (JsonObject)parameters.DeepClone(), 10000, default); }
        var times = new List<double>(count);
        for (int i = 0; i < count; i++)
        {
            var w = Stopwatch.StartNew();
            await op.InvokeAsync(nodeId, command, (JsonObject)parameters.DeepClone(), 10000, default);
            times.Add(w.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    private static async Task<(double PerSecond, int Errors)> ThroughputAsync(OperatorClient op, string nodeId, string command, JsonObject parameters, int concurrency, int total)
    {
        int next = 0, errors = 0;
        var w = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= total)
            {
                try { await op.InvokeAsync(nodeId, command, (JsonObject)parameters.DeepClone(), 30000, default); }
                catch (GatewayException) { Interlocked.Increment(ref errors); }
            }
        }));
        return (total / w.Elapsed.TotalSeconds, errors);
    }

    private static async Task<(double Ms, long Bytes, string Note)> BigOutputAsync(OperatorClient op, string nodeId)
    {
        var w = Stopwatch.StartNew();
        try
        {
            JsonNode? r = await op.InvokeAsync(nodeId, "system.run", RunParams("sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' a"), 60000, default);
            long bytes = Encoding.UTF8.GetByteCount(r.Str("stdout") ?? string.Empty);
            string note = r.Bool("truncated") == true || bytes < 5_000_000 ? "(truncated by the host)" : "";
            return (w.Elapsed.TotalMilliseconds, bytes, note);
        }
        catch (GatewayException ex)
        {
            return (w.Elapsed.TotalMilliseconds, 0, "error: " + ex.Message.Replace('\n', ' '));
        }
    }

    private readonly record struct Mem(long RssKb, long PssKb, int Procs);

    /// <summary>RSS (status VmRSS) and PSS (smaps_rollup Pss) summed over the process and its descendants, except bash launchers.</summary>
    private static Mem TreeMem(int root)
    {
        long rss = 0, pss = 0;
        int count = 0;
        foreach (int pid in Descendants(root).Append(root))
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/comm").Trim() == "bash") { continue; }
                rss += ProcKb($"/proc/{pid}/status", "VmRSS:");
                pss += ProcKb($"/proc/{pid}/smaps_rollup", "Pss:");
                count++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return new Mem(rss, pss, count);
    }

    private static long ProcKb(string file, string key)
    {
        string? line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv);
    }

    /// <summary>
    /// CPU seconds of the host tree (clock ticks of 1/100 s): utime+stime of the process and its live descendants, and
    /// separately cutime+cstime, the children that exited and were waited for (the system.run processes).
    /// </summary>
    private static (double Own, double Children) TreeCpuSeconds(int root)
    {
        long ticks = 0, child = 0;
        foreach (int pid in Descendants(root).Append(root))
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // Fields after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14): children that
                // exited and were waited for (system.run processes) are in cutime/cstime.
                ticks += long.Parse(f[11], Inv) + long.Parse(f[12], Inv);
                child += long.Parse(f[13], Inv) + long.Parse(f[14], Inv);
            }
            catch (IOException) { }
        }
        return (ticks / 100.0, child / 100.0);
    }

    // ------------------------------------------------------------------ hosts

    private sealed class HostSpec
    {
        public HostSpec(string label, string? binary, string state, string name, Dictionary<string, string> env) { Label = label; Binary = binary; State = state; Name = name; Env = env; }
        public string Label { get; }
        public string? Binary { get; }
        public string State { get; }
        public string Name { get; }
        public Dictionary<string, string> Env { get; }
        public bool IsFloor { get; init; }
        public string? NodeId { get; set; }
        public List<double> Ready { get; } = new();
        public List<long> IdleRss { get; } = new();
        public List<long> IdlePss { get; } = new();
        public List<long> LoadRss { get; } = new();
        public List<long> LoadPss { get; } = new();
        public List<double> Which { get; } = new();
        public List<double> RunTrue { get; } = new();
        public List<double> WhichRate { get; } = new();
        public List<double> RunRate { get; } = new();
        public List<double> WhichCpuPer1000 { get; } = new();
        public List<double> RunCpuPer1000 { get; } = new();
        public List<double> RunChildCpuPer1000 { get; } = new();
        public List<double> BigMs { get; } = new();
        public long BigBytes { get; set; }
        public string BigNote { get; set; } = string.Empty;
        public int Errors { get; set; }

        public JsonObject ToJson()
        {
            static JsonNode? M(IEnumerable<double> v) => v.Any() ? Math.Round(Median(v), 2) : null;
            static JsonNode? K(IEnumerable<long> v) => v.Any() ? Math.Round(Median(v.Select(x => x / 1024.0)), 1) : null;
            return new JsonObject
            {
                ["startToWhichMs"] = M(Ready), ["startToWhichMinMs"] = Ready.Count > 0 ? Math.Round(Ready.Min()) : null, ["startToWhichMaxMs"] = Ready.Count > 0 ? Math.Round(Ready.Max()) : null,
                ["idleRssMiB"] = K(IdleRss), ["idlePssMiB"] = K(IdlePss), ["loadRssMiB"] = K(LoadRss), ["loadPssMiB"] = K(LoadPss),
                ["whichP50Ms"] = Which.Count > 0 ? Math.Round(Pct(Which, 50), 2) : null, ["whichP95Ms"] = Which.Count > 0 ? Math.Round(Pct(Which, 95), 2) : null, ["whichP99Ms"] = Which.Count > 0 ? Math.Round(Pct(Which, 99), 2) : null,
                ["runP50Ms"] = RunTrue.Count > 0 ? Math.Round(Pct(RunTrue, 50), 2) : null, ["runP95Ms"] = RunTrue.Count > 0 ? Math.Round(Pct(RunTrue, 95), 2) : null, ["runP99Ms"] = RunTrue.Count > 0 ? Math.Round(Pct(RunTrue, 99), 2) : null,
                ["whichPerSecond"] = M(WhichRate), ["runPerSecond"] = M(RunRate), ["whichCpuSecondsPer1000"] = M(WhichCpuPer1000), ["runCpuSecondsPer1000"] = M(RunCpuPer1000), ["runChildCpuSecondsPer1000"] = M(RunChildCpuPer1000),
                ["bigOutputMs"] = M(BigMs), ["bigOutputBytes"] = BigMs.Count > 0 ? BigBytes : null, ["errors"] = Errors,
            };
        }
    }

    private static void PrepareState(HostSpec h)
    {
        // Exec policy that lets the bench run `true` and the 5 MB command without prompts, in each host's own file.
        string dir = h.Binary is null ? Path.Combine(h.State, "state") : h.State;
        Directory.CreateDirectory(dir);
        if (h.Binary is null) { Directory.CreateDirectory(Path.Combine(h.State, "home")); }
        string file = Path.Combine(dir, "exec-approvals.json");
        File.WriteAllText(file, "{\"version\":1,\"defaults\":{\"security\":\"full\",\"ask\":\"off\"}}\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(h.State, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static Process Spawn(HostSpec h, int port, string token, string gwDir)
    {
        ProcessStartInfo psi;
        if (h.IsFloor && h.Binary is not null)
        {
            // The NativeAOT floor (bench/OpenClaw.Floor): same token convention as the hosts.
            psi = new ProcessStartInfo(h.Binary);
            foreach (string a in new[] { "--host", "127.0.0.1", "--port", port.ToString(Inv), "--state-dir", h.State, "--display-name", h.Name }) { psi.ArgumentList.Add(a); }
        }
        else if (h.IsFloor)
        {
            // The JIT floor runs as its own process: this program with "floor-node" (under dotnet when started as a dll).
            string self = Environment.ProcessPath!;
            psi = new ProcessStartInfo(self);
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") { psi.ArgumentList.Add(typeof(Program).Assembly.Location); }
            foreach (string a in new[] { "floor-node", port.ToString(Inv), h.State, h.Name }) { psi.ArgumentList.Add(a); }
            psi.Environment["DOTNET_TieredPGO"] = "0";
        }
        else if (h.Binary is not null)
        {
            psi = new ProcessStartInfo(h.Binary);
            foreach (string a in new[] { "run", "--host", "127.0.0.1", "--port", port.ToString(Inv), "--state-dir", h.State, "--display-name", h.Name }) { psi.ArgumentList.Add(a); }
        }
        else
        {
            psi = new ProcessStartInfo("bash");
            foreach (string a in new[] { Path.Combine(Repo, "scripts/gateway.sh"), "node-host", gwDir, h.State, "--display-name", h.Name }) { psi.ArgumentList.Add(a); }
        }
        psi.Environment["OPENCLAW_GATEWAY_TOKEN"] = token;
        foreach (var kv in h.Env) { psi.Environment[kv.Key] = kv.Value; }
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var p = Process.Start(psi)!;
        // The host's output goes to <state>/bench-host.log, for diagnosing a host that does not come up.
        var log = TextWriter.Synchronized(new StreamWriter(Path.Combine(h.State, "bench-host.log"), append: true) { AutoFlush = true });
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Approves the device and command-surface requests of the named nodes until each is connected with system.which.</summary>
    private static async Task<Dictionary<string, string>> PairAsync(OperatorClient op, string[] names, TimeSpan timeout)
    {
        var want = new HashSet<string>(names, StringComparer.Ordinal);
        var done = new Dictionary<string, string>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            foreach (JsonNode? d in (await op.ListDevicePairingAsync(default)).Arr("pending") ?? new JsonArray())
            {
                if (want.Contains(d.Str("displayName") ?? "")) { try { await op.ApproveDevicePairingAsync(d.Str("requestId")!, default); } catch (GatewayException) { } }
            }
            foreach (JsonNode? n in (await op.ListNodePairingAsync(default)).Arr("pending") ?? new JsonArray())
            {
                if (want.Contains(n.Str("displayName") ?? "")) { try { await op.ApproveNodePairingAsync(n.Str("requestId")!, default); } catch (GatewayException) { } }
            }
            foreach (JsonNode? n in (await op.ListNodesAsync(default)).Arr("nodes") ?? new JsonArray())
            {
                string name = n.Str("displayName") ?? "";
                if (want.Contains(name) && n.Bool("connected") == true && n.Str("approvalState") == "approved"
                    && (n.StrArray("commands") ?? new List<string>()).Contains("system.which"))
                {
                    done[name] = n.Str("nodeId")!;
                }
            }
            if (done.Count == want.Count) { return done; }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{want.Count - done.Count} of {want.Count} hosts did not pair within {timeout}.");
    }

    private static async Task StopAsync(Process p)
    {
        foreach (int pid in Descendants(p.Id).Append(p.Id)) { try { using Process q = Process.GetProcessById(pid); q.Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { } }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await p.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { p.Kill(true); }
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
                int ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], Inv);
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

    // ------------------------------------------------------------------ report

    private static void PrintTable(List<HostSpec> all)
    {
        HostSpec ours = all[0];
        HostSpec? off = all.FirstOrDefault(h => h.Label == "official");
        var rows = new List<(string Name, Func<HostSpec, double> Get, string Fmt)>
        {
            ("start -> first system.which (ms)", h => Median(h.Ready), "0"),
            ("idle RSS after connect (MiB)", h => Median(h.IdleRss.Select(x => x / 1024.0)), "0.0"),
            ("idle PSS after connect (MiB)", h => Median(h.IdlePss.Select(x => x / 1024.0)), "0.0"),
            ("RSS after load (MiB)", h => Median(h.LoadRss.Select(x => x / 1024.0)), "0.0"),
            ("PSS after load (MiB)", h => Median(h.LoadPss.Select(x => x / 1024.0)), "0.0"),
            ("system.which p50 (ms)", h => Pct(h.Which, 50), "0.00"),
            ("system.which p95 (ms)", h => Pct(h.Which, 95), "0.00"),
            ("system.which p99 (ms)", h => Pct(h.Which, 99), "0.00"),
            ("system.run true p50 (ms)", h => Pct(h.RunTrue, 50), "0.00"),
            ("system.run true p95 (ms)", h => Pct(h.RunTrue, 95), "0.00"),
            ("system.run true p99 (ms)", h => Pct(h.RunTrue, 99), "0.00"),
            ("system.which /s at concurrency 20", h => Median(h.WhichRate), "0"),
            ("system.run true /s at concurrency 20", h => Median(h.RunRate), "0"),
            ("host CPU s per 1000 system.which", h => Median(h.WhichCpuPer1000), "0.000"),
            ("host CPU s per 1000 system.run true", h => Median(h.RunCpuPer1000), "0.000"),
            ("  + CPU s per 1000 in the run processes", h => Median(h.RunChildCpuPer1000), "0.000"),
            ("5 MB system.run (ms)", h => Median(h.BigMs), "0"),
            ("5 MB system.run returned (bytes)", h => h.BigMs.Count > 0 ? h.BigBytes : double.NaN, "0"),
        };
        Console.WriteLine();
        Console.WriteLine($"{"measure (median over rounds; percentiles over all samples)",-58} {"ours",12} {"official",12} {"ours/off",9} {"floor",9}");
        foreach (var (name, get, fmt) in rows)
        {
            double a = get(ours), b = off is null ? double.NaN : get(off);
            HostSpec floor = all.Last();
            double f = get(floor);
            Console.WriteLine($"{name,-58} {F(a, fmt),12} {F(b, fmt),12} {F(a / b, "0.000"),9} {F(f, fmt),9}");
        }
        Console.WriteLine($"{"errors",-58} {ours.Errors,12} {(off?.Errors.ToString(Inv) ?? "-"),12}");
        foreach (HostSpec x in all.Where(h => h.IsFloor && h != all.Last()))
        {
            Console.WriteLine($"{x.Label}: start {F(Median(x.Ready), "0")} ms, idle RSS {F(Median(x.IdleRss.Select(v => v / 1024.0)), "0.0")} PSS {F(Median(x.IdlePss.Select(v => v / 1024.0)), "0.0")} MiB, which p50 {F(Pct(x.Which, 50), "0.00")} p95 {F(Pct(x.Which, 95), "0.00")} p99 {F(Pct(x.Which, 99), "0.00")} ms, which {F(Median(x.WhichRate), "0")}/s at concurrency 20, CPU s/1000 which {F(Median(x.WhichCpuPer1000), "0.000")}");
        }
        foreach (HostSpec x in all.Where(h => h != ours && h != off && !h.IsFloor))
        {
            Console.WriteLine($"{x.Label}: start {F(Median(x.Ready), "0")} ms, idle RSS {F(Median(x.IdleRss.Select(v => v / 1024.0)), "0.0")} PSS {F(Median(x.IdlePss.Select(v => v / 1024.0)), "0.0")} MiB, after load RSS {F(Median(x.LoadRss.Select(v => v / 1024.0)), "0.0")} PSS {F(Median(x.LoadPss.Select(v => v / 1024.0)), "0.0")} MiB, which p50 {F(Pct(x.Which, 50), "0.00")} p99 {F(Pct(x.Which, 99), "0.00")} ms, run p50 {F(Pct(x.RunTrue, 50), "0.00")} ms, CPU s/1000 which {F(Median(x.WhichCpuPer1000), "0.000")} run {F(Median(x.RunCpuPer1000), "0.000")}");
        }
        Console.WriteLine($"spread: ours start {F(ours.Ready.DefaultIfEmpty(double.NaN).Min(), "0")}..{F(ours.Ready.DefaultIfEmpty(double.NaN).Max(), "0")} ms, idle PSS {F(ours.IdlePss.DefaultIfEmpty().Min() / 1024.0, "0.0")}..{F(ours.IdlePss.DefaultIfEmpty().Max() / 1024.0, "0.0")} MiB"
            + (off is null ? "" : $"; official start {F(off.Ready.DefaultIfEmpty(double.NaN).Min(), "0")}..{F(off.Ready.DefaultIfEmpty(double.NaN).Max(), "0")} ms, idle PSS {F(off.IdlePss.DefaultIfEmpty().Min() / 1024.0, "0.0")}..{F(off.IdlePss.DefaultIfEmpty().Max() / 1024.0, "0.0")} MiB"));
    }

    private static JsonObject Ratios(HostSpec ours, HostSpec off) => new()
    {
        ["startToWhich"] = R(Median(ours.Ready), Median(off.Ready)),
        ["idleRss"] = R(Median(ours.IdleRss.Select(x => (double)x)), Median(off.IdleRss.Select(x => (double)x))),
        ["idlePss"] = R(Median(ours.IdlePss.Select(x => (double)x)), Median(off.IdlePss.Select(x => (double)x))),
        ["whichP50"] = R(Pct(ours.Which, 50), Pct(off.Which, 50)), ["whichP99"] = R(Pct(ours.Which, 99), Pct(off.Which, 99)),
        ["runP50"] = R(Pct(ours.RunTrue, 50), Pct(off.RunTrue, 50)), ["runP99"] = R(Pct(ours.RunTrue, 99), Pct(off.RunTrue, 99)),
        ["whichCpuPer1000"] = R(Median(ours.WhichCpuPer1000), Median(off.WhichCpuPer1000)),
        ["runCpuPer1000"] = R(Median(ours.RunCpuPer1000), Median(off.RunCpuPer1000)),
    };

    private static JsonNode? R(double a, double b) => double.IsFinite(a / b) ? Math.Round(a / b, 4) : null;

    private static string F(double v, string fmt) => double.IsFinite(v) ? v.ToString(fmt, Inv) : "-";

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static double Median(IEnumerable<long> values) => Median(values.Select(x => (double)x));

    /// <summary>Nearest-rank percentile.</summary>
    private static double Pct(List<double> values, double p)
    {
        if (values.Count == 0) { return double.NaN; }
        var v = values.OrderBy(x => x).ToArray();
        int rank = (int)Math.Ceiling(p / 100.0 * v.Length);
        return v[Math.Clamp(rank - 1, 0, v.Length - 1)];
    }

    private static void Say(string line)
    {
        Log.Add(line);
        Console.WriteLine(line);
    }

    // ------------------------------------------------------------------ setup

    private static string DefaultOurs()
    {
        string aot = Path.Combine(Repo, "out/publish/linux-x64-aot/openclaw-node");
        return File.Exists(aot) ? aot : Path.Combine(Repo, "src/OpenClaw.NodeHost/bin/Release/net10.0/openclaw-node");
    }

    /// <summary>What kind of build a host binary is, from the files beside it.</summary>
    private static string BinaryKind(string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (File.Exists(Path.Combine(dir, "openclaw-node.dll")))
        {
            return File.Exists(Path.Combine(dir, "libcoreclr.so")) ? "JIT net10 self-contained" : "JIT net10 framework-dependent";
        }
        long size = new FileInfo(path).Length;
        byte[] head = new byte[Math.Min(size, 64 * 1024 * 1024)];
        using (FileStream fs = File.OpenRead(path)) { fs.ReadExactly(head); }
        string text = Encoding.Latin1.GetString(head);
        if (text.Contains("libhostfxr", StringComparison.Ordinal)) { return "JIT net10 single-file"; }
        return text.Contains("System.Private.CoreLib", StringComparison.Ordinal) ? "NativeAOT net10" : "unknown";
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (string a in args) { psi.ArgumentList.Add(a); }
        // The gateway starts slowly when the machine is busy (other builds): give it more than the default 90 s.
        if (!psi.Environment.ContainsKey("OPENCLAW_GATEWAY_READY_TIMEOUT")) { psi.Environment["OPENCLAW_GATEWAY_READY_TIMEOUT"] = "300"; }
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

    private sealed class Options
    {
        private readonly string[] _args;
        public Options(string[] args) => _args = args;
        public bool Has(string name) => _args.Contains(name);
        public string? Str(string name)
        {
            int i = Array.LastIndexOf(_args, name);
            return i >= 0 && i + 1 < _args.Length ? _args[i + 1] : null;
        }
        public IEnumerable<string> All(string name)
        {
            for (int i = 0; i + 1 < _args.Length; i++) { if (_args[i] == name) { yield return _args[i + 1]; } }
        }
        public int Int(string name, int fallback) => int.TryParse(Str(name), NumberStyles.Integer, Inv, out int v) ? v : fallback;
    }
}
