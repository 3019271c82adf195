using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// Runs <c>openclaw-node</c> (the real executable, <see cref="NodeProcess.HostPath"/>) once and captures its exit code,
/// stdout and stderr: the one helper the tests use for a single command (operator commands, <c>status</c>, <c>dsc</c>,
/// <c>import</c>, bad command lines). Long-running hosts are <see cref="NodeProcess"/>.
/// </summary>
internal static class HostCli
{
    /// <summary>What one run printed and how it ended.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>Stdout parsed as JSON (for <c>--json</c>); throws with the output when it is not JSON.</summary>
        public JsonNode Json => JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("no JSON: " + Stdout + Stderr);

        /// <summary>Stdout split into trimmed, non-empty lines.</summary>
        public string[] StdoutLines => Lines(Stdout);

        /// <summary>Stderr split into trimmed, non-empty lines.</summary>
        public string[] StderrLines => Lines(Stderr);

        private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>How long a run may take unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// A start info for the host with <paramref name="args"/>: the apphost when it was built, else <c>dotnet</c> plus the
    /// dll. Output and error are redirected; nothing else is set.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        string host = NodeProcess.HostPath;
        bool dll = host.EndsWith(".dll", StringComparison.Ordinal);
        var psi = new ProcessStartInfo(dll ? "dotnet" : host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (dll) { psi.ArgumentList.Add(host); }
        foreach (string a in args) { psi.ArgumentList.Add(a); }
        return psi;
    }

    /// <summary>Runs the host once with <paramref name="args"/> and <c>OPENCLAW_GATEWAY_TOKEN</c> = <paramref name="token"/> (unset when null).</summary>
    public static Task<Result> RunAsync(string? token, params string[] args) => RunAsync(args, token: token);

    /// <summary>Runs the host once with <paramref name="args"/> and the environment changes in <paramref name="env"/> (a null value removes the variable).</summary>
    public static Task<Result> RunWithEnvAsync(IReadOnlyDictionary<string, string?> env, params string[] args) => RunAsync(args, env: env);

    /// <summary>
    /// Runs the host once with <paramref name="args"/>. The child never inherits <c>OPENCLAW_GATEWAY_TOKEN</c> or
    /// <c>OPENCLAW_SETUP_CODE</c>; <paramref name="token"/> sets the first, <paramref name="env"/> sets further variables
    /// (a null value removes the variable). <paramref name="stdin"/> is written to standard input and closed (null: no
    /// standard input). A run longer than <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>) is killed
    /// and throws <see cref="TimeoutException"/> with what it printed.
    /// </summary>
    public static async Task<Result> RunAsync(
        IEnumerable<string> args,
        string? token = null,
        IReadOnlyDictionary<string, string?>? env = null,
        string? stdin = null,
        TimeSpan? timeout = null)
    {
        ProcessStartInfo psi = StartInfo(args);
        psi.RedirectStandardInput = stdin is not null;
        psi.Environment.Remove("OPENCLAW_GATEWAY_TOKEN");
        psi.Environment.Remove("OPENCLAW_SETUP_CODE");
        if (token is not null) { psi.Environment["OPENCLAW_GATEWAY_TOKEN"] = token; }
        if (env is not null)
        {
            foreach (KeyValuePair<string, string?> kv in env)
            {
                if (kv.Value is null) { psi.Environment.Remove(kv.Key); } else { psi.Environment[kv.Key] = kv.Value; }
            }
        }
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        TimeSpan limit = timeout ?? DefaultTimeout;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            throw new TimeoutException($"openclaw-node {string.Join(' ', psi.ArgumentList)} did not exit within {limit}: {await stdout}{await stderr}");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }
}
