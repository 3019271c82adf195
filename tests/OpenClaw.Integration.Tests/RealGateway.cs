using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.State;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// A real OpenClaw gateway (npm openclaw@2026.9.6 on Node 26), installed and started by scripts/gateway.sh in its own
/// HOME and state directory on a free loopback port with a random token.
/// </summary>
public sealed class RealGateway : IAsyncDisposable
{
    private RealGateway(string dir, int port, string token, string? tlsFingerprint)
    {
        Directory = dir;
        Port = port;
        Token = token;
        TlsFingerprint = tlsFingerprint;
    }

    /// <summary>SHA-256 of the gateway's self-signed certificate when started with TLS, else null.</summary>
    public string? TlsFingerprint { get; }

    public string Directory { get; }
    public int Port { get; }
    public string Token { get; }
    public GatewaySettings Settings => new() { Host = "127.0.0.1", Port = Port, Tls = TlsFingerprint is not null, TlsFingerprint = TlsFingerprint };

    public static string RepoRoot
    {
        get
        {
            string? d = AppContext.BaseDirectory;
            while (d is not null && !File.Exists(Path.Combine(d, "OpenClaw.PowerShell.sln"))) { d = Path.GetDirectoryName(d); }
            return d ?? throw new InvalidOperationException("Cannot find the repository root (OpenClaw.PowerShell.sln) above " + AppContext.BaseDirectory);
        }
    }

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool _installed;

    /// <param name="autoApproveLocal">Approve loopback devices silently (the gateway's default).</param>
    /// <param name="tls">Serve wss:// with an auto-generated self-signed certificate.</param>
    /// <param name="configPatch">JSON merged into the gateway's config before it starts (e.g. <c>plugins.load.paths</c>; <c>__PORT__</c> = its port).</param>
    /// <param name="untilListening">Return as soon as the gateway answers connect, even with its start-up refusal
    /// (<c>startup-sidecars</c>), instead of waiting until it accepts connects.</param>
    public static async Task<RealGateway> StartAsync(bool autoApproveLocal = true, bool tls = false, string? configPatch = null, bool untilListening = false)
    {
        await InstallLock.WaitAsync();
        try
        {
            if (!_installed)
            {
                await Script(TimeSpan.FromMinutes(15), "install");
                _installed = true;
            }
        }
        finally { InstallLock.Release(); }
        string dir = Path.Combine(Path.GetTempPath(), "oc-gw-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        System.IO.Directory.CreateDirectory(dir);
        var args = new System.Collections.Generic.List<string> { "start", dir };
        if (!autoApproveLocal) { args.Add("--no-auto-approve-local"); }
        if (tls) { args.Add("--tls"); }
        if (configPatch is not null) { args.Add("--config-patch"); args.Add(configPatch); }
        if (untilListening) { args.Add("--until-listening"); }
        await Script(TimeSpan.FromMinutes(10), args.ToArray());
        return Load(dir);
    }

    private static RealGateway Load(string dir)
    {
        var info = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "gateway.json")))!;
        return new RealGateway(dir, (int)info.Long("port")!.Value, info.Str("token")!, info.Str("tlsFingerprint"));
    }

    /// <summary>Stops the gateway gracefully (shutdown event, close 1012).</summary>
    public Task StopAsync() => Script(TimeSpan.FromMinutes(1), "stop", Directory);

    /// <summary>Starts it again on the same port with the same token and state.</summary>
    public Task StartAgainAsync() => Script(TimeSpan.FromMinutes(10), "start", Directory);

    /// <summary>Runs the real openclaw CLI against this gateway and returns its stdout.</summary>
    public Task<string> CliAsync(params string[] args)
    {
        var all = new string[args.Length + 2];
        all[0] = "openclaw";
        all[1] = Directory;
        Array.Copy(args, 0, all, 2, args.Length);
        return Script(TimeSpan.FromMinutes(2), all);
    }

    public Task<OperatorClient> OperatorAsync() =>
        OperatorClient.ConnectAsync(new OperatorOptions { Gateway = Settings, Token = Token }, null, CancellationToken.None);

    private static async Task<string> Script(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RepoRoot, "scripts", "gateway.sh"));
        foreach (string a in args) { psi.ArgumentList.Add(a); }
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException($"scripts/gateway.sh {string.Join(" ", args)} did not finish within {timeout}: {await stderr}");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/gateway.sh {string.Join(" ", args)} failed with exit code {p.ExitCode}: {await stderr}{await stdout}");
        }
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); } catch (Exception) { /* best effort */ }
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
