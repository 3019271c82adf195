using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;

namespace OpenClaw.Integration.Tests;

/// <summary>Our openclaw-node as a real child process (<c>run --json</c>), with its status lines parsed as they arrive.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonObject> _statuses = new();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);

    private NodeProcess(Process process, string stateDir)
    {
        _process = process;
        StateDir = stateDir;
    }

    public string StateDir { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Stderr
    {
        get { lock (_stderr) { return _stderr.ToString(); } }
    }

    public static string HostPath
    {
        get
        {
            string apphost = Path.Combine(AppContext.BaseDirectory, "openclaw-node");
            return File.Exists(apphost) ? apphost : Path.Combine(AppContext.BaseDirectory, "openclaw-node.dll");
        }
    }

    public static NodeProcess Start(RealGateway gateway, string stateDir, string? token = null, bool withToken = true, params string[] extra) =>
        StartAt(gateway.Port, gateway, stateDir, token, withToken, extra);

    /// <summary>As <see cref="Start"/>, but connecting to <paramref name="port"/> on loopback (e.g. a proxy in front of the gateway).</summary>
    public static NodeProcess StartAt(int port, RealGateway gateway, string stateDir, string? token = null, bool withToken = true, params string[] extra) =>
        StartRaw(stateDir, withToken ? token ?? gateway.Token : null, null, new[] { "--host", "127.0.0.1", "--port", port.ToString() }.Concat(extra).ToArray());

    /// <summary>As <see cref="Start"/>, with extra environment variables for the child (e.g. OPENCLAW_POLICY_FILE).</summary>
    public static NodeProcess StartWithEnvironment(RealGateway gateway, string stateDir, IReadOnlyDictionary<string, string> environment, params string[] extra) =>
        StartRaw(stateDir, gateway.Token, environment, new[] { "--host", "127.0.0.1", "--port", gateway.Port.ToString() }.Concat(extra).ToArray());

    /// <summary>
    /// <c>openclaw-node run --state-dir <paramref name="stateDir"/> --json</c> plus <paramref name="args"/> (no gateway
    /// options), with <c>OPENCLAW_GATEWAY_TOKEN</c> = <paramref name="token"/> (unset when null) and the extra environment
    /// variables in <paramref name="env"/>.
    /// </summary>
    public static NodeProcess StartRaw(string stateDir, string? token, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        ProcessStartInfo psi = HostCli.StartInfo(new[] { "run", "--state-dir", stateDir, "--json" }.Concat(args));
        psi.RedirectStandardInput = true;
        psi.Environment.Remove("OPENCLAW_GATEWAY_TOKEN");
        psi.Environment.Remove("OPENCLAW_SETUP_CODE");
        if (token is not null) { psi.Environment["OPENCLAW_GATEWAY_TOKEN"] = token; }
        if (env is not null) { foreach (KeyValuePair<string, string> kv in env) { psi.Environment[kv.Key] = kv.Value; } }
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var node = new NodeProcess(p, stateDir);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { node._changed.Release(); return; }
            if (JsonNode.Parse(e.Data) is JsonObject o)
            {
                lock (node._statuses) { node._statuses.Add(o); }
                node._changed.Release();
            }
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (node._stderr) { node._stderr.AppendLine(e.Data); } } };
        p.Exited += (_, _) => node._changed.Release();
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return node;
    }

    public IReadOnlyList<JsonObject> Statuses
    {
        get { lock (_statuses) { return _statuses.ToList(); } }
    }

    /// <summary>Waits (event-driven, no polling sleeps) for a status line matching <paramref name="match"/> after index <paramref name="from"/>.</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, TimeSpan timeout, int from = 0)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            lock (_statuses)
            {
                for (int i = from; i < _statuses.Count; i++) { if (match(_statuses[i])) { return _statuses[i]; } }
            }
            if (_process.HasExited)
            {
                await Task.Delay(100);   // let the output reader flush the last lines
                lock (_statuses) { for (int i = from; i < _statuses.Count; i++) { if (match(_statuses[i])) { return _statuses[i]; } } }
                throw new InvalidOperationException($"openclaw-node exited with {_process.ExitCode} before the expected status. Statuses: {Dump()}\nStderr:\n{Stderr}");
            }
            try { await _changed.WaitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching status within {timeout}. Statuses: {Dump()}\nStderr:\n{Stderr}");
            }
        }
    }

    public Task<JsonObject> WaitForStateAsync(string state, TimeSpan timeout, int from = 0) => WaitForAsync(s => s.Str("state") == state, timeout, from);

    /// <summary>
    /// Approves this node's pending command-surface request (device <paramref name="deviceId"/>) through
    /// <paramref name="op"/> and waits (up to <paramref name="timeout"/>) until the node reports Connected with the
    /// approval; returns the approved request id.
    /// </summary>
    public async Task<string> ApproveCommandSurfaceAsync(OperatorClient op, string deviceId, TimeSpan timeout)
    {
        JsonObject pairing = await op.ListNodePairingAsync(default);
        string requestId = pairing.Arr("pending")!.Single(r => r.Str("nodeId") == deviceId)!.Str("requestId")!;
        int mark = Count;
        await op.ApproveNodePairingAsync(requestId, default);
        await WaitForAsync(s => s.Str("state") == "Connected" && s.Str("message")!.Contains("approved"), timeout, mark);
        return requestId;
    }

    public int Count
    {
        get { lock (_statuses) { return _statuses.Count; } }
    }

    private string Dump() => string.Join("\n", Statuses.Select(s => s.Str("state") + ": " + s.Str("message")));

    /// <summary>Sends SIGTERM (as systemd would) and waits for exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) { return _process.ExitCode; }
        Kill(_process.Id, 15);
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private static void Kill(int pid, int signal) => kill(pid, signal);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Kill(_process.Id, 15);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { _process.Kill(true); }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
