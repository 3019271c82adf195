using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// TLS certificate rotation on the real gateway (issue 7, spec §2.2): a pinned host fails with the documented error showing
/// the expected and the presented fingerprint, does not retry in a tight loop, and recovers when re-pinned.
/// Its own gateway: rotating the certificate would break the shared TLS fixture.
/// </summary>
public sealed class CertificateRotationTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private RealGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await RealGateway.StartAsync(tls: true);

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    private static async Task Script(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RealGateway.RepoRoot, "scripts", "gateway.sh"));
        foreach (string a in args) { psi.ArgumentList.Add(a); }
        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (p.ExitCode != 0) { throw new InvalidOperationException($"gateway.sh {string.Join(" ", args)}: {await err}"); }
    }

    private static string Colons(string hex) => string.Join(":", Enumerable.Range(0, 32).Select(i => hex.Substring(i * 2, 2).ToUpperInvariant()));

    [Fact]
    public async Task A_rotated_certificate_fails_the_pinned_host_with_both_fingerprints_slowly_and_a_new_pin_recovers()
    {
        using var dir = new StateDir();
        string oldPin = _gw.TlsFingerprint!;
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--tls", "--tls-fingerprint", oldPin });
        string deviceId;
        await using (node)
        {
            deviceId = (await node.WaitForStateAsync("Connected", Wait)).Str("deviceId")!;

            // Rotate: stop, delete the auto-generated certificate and key, start again with TLS (a new self-signed certificate).
            int before = node.Count;
            await _gw.StopAsync();
            string tlsDir = Path.Combine(_gw.Directory, "state", "gateway", "tls");
            File.Delete(Path.Combine(tlsDir, "gateway-cert.pem"));
            File.Delete(Path.Combine(tlsDir, "gateway-key.pem"));
            await Script("start", _gw.Directory, "--tls");
            string newPin = ((JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(_gw.Directory, "gateway.json")))!).Str("tlsFingerprint")!;
            Assert.NotEqual(oldPin, newPin);

            JsonObject failed = await node.WaitForAsync(s => s.Str("state") == "Reconnecting" && s.Str("message")!.Contains("TLS certificate was not accepted"), Wait, before);
            // Not a tight loop: the next attempt is scheduled at the maximum back-off (30 s, jittered).
            Assert.True((long)failed["retryInMs"]! >= 10_000, $"retry in {failed["retryInMs"]} ms");
            await Poll.Until(() => node.Stderr.Contains("does not match the pinned fingerprint"), TimeSpan.FromSeconds(30));
            string err = node.Stderr;
            Assert.Contains("expected " + Colons(oldPin), err);
            Assert.Contains("presented " + Colons(newPin), err);
            Assert.Contains("pin the new fingerprint", err);
            Assert.False(node.HasExited);
            Assert.Single(Regex.Matches(err, "does not match the pinned fingerprint"));

            Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(30)));

            // Recovery (spec §2.2): re-pin. Same identity, stored pin replaced by the new one.
            NodeProcess repinned = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--tls", "--tls-fingerprint", newPin });
            await using (repinned)
            {
                JsonObject up = await repinned.WaitForStateAsync("Connected", Wait);
                Assert.Equal(deviceId, up.Str("deviceId"));
                JsonObject config = (JsonObject)JsonNode.Parse(File.ReadAllText(dir.File("node.json")))!;
                Assert.Equal(newPin, config.Obj("gateway").Str("tlsFingerprint"));
            }
        }
    }
}
