using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Status;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// "Gateway slow to start" (issue 7, spec 2.5) against the real gateway: while its start-up plugins load, the gateway
/// refuses <c>connect</c> with retryable <c>UNAVAILABLE</c> <c>startup-sidecars</c> + <c>retryAfterMs</c> and closes 1013.
/// The window is held open deterministically by a tiny local plugin (written by the test, loaded through
/// <c>plugins.load.paths</c>, <c>activation.onStartup</c>) whose service's <c>start()</c> returns a promise that settles
/// only when the test creates a release file: the gateway awaits plugin service start-up before it marks its sidecars
/// ready (dist/server-startup-post-attach: startGatewaySidecars → startPluginServices → onSidecarsReady).
/// </summary>
public sealed class StartupSidecarsTests
{
    private const string PluginManifest = """
        {
          "id": "startup-hold",
          "name": "Start-up hold (test)",
          "description": "Test plugin: holds gateway start-up until a release file exists",
          "categories": ["other"],
          "activation": { "onStartup": true },
          "configSchema": {
            "type": "object",
            "additionalProperties": false,
            "properties": { "releaseFile": { "type": "string" }, "maxHoldMs": { "type": "number" } }
          }
        }
        """;

    private const string PluginPackage = """
        { "name": "openclaw-test-startup-hold", "version": "1.0.0", "type": "module", "openclaw": { "extensions": ["./index.mjs"] } }
        """;

    // Plugin modules are loaded synchronously (require), so a top-level await is refused (ERR_REQUIRE_ASYNC_MODULE); a
    // service whose start() returns a pending promise is awaited by the gateway before it reports its sidecars ready.
    private const string PluginEntry = """
        import fs from "node:fs";
        export default {
          id: "startup-hold",
          name: "Start-up hold (test)",
          description: "Test plugin: holds gateway start-up until a release file exists",
          register(api) {
            const cfg = api.pluginConfig ?? {};
            api.registerService({
              id: "startup-hold",
              start() {
                const started = Date.now();
                const max = Number(cfg.maxHoldMs ?? 300000);
                console.error(`startup-hold: holding gateway start-up until ${cfg.releaseFile} exists`);
                return new Promise((resolve) => {
                  const check = () => {
                    if (fs.existsSync(cfg.releaseFile) || Date.now() - started >= max) {
                      console.error(`startup-hold: released after ${Date.now() - started} ms`);
                      resolve();
                    } else setTimeout(check, 100);
                  };
                  check();
                });
              },
            });
          },
        };
        """;

    [Fact]
    public async Task A_node_started_while_the_gateway_loads_its_startup_plugins_retries_after_retryAfterMs_and_connects_once_ready()
    {
        string pluginRoot = Path.Combine(Path.GetTempPath(), "oc-plugin-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        string pluginDir = Path.Combine(pluginRoot, "startup-hold");
        string release = Path.Combine(pluginRoot, "release");
        Directory.CreateDirectory(pluginDir);
        File.WriteAllText(Path.Combine(pluginDir, "openclaw.plugin.json"), PluginManifest);
        File.WriteAllText(Path.Combine(pluginDir, "package.json"), PluginPackage);
        File.WriteAllText(Path.Combine(pluginDir, "index.mjs"), PluginEntry);
        var patch = new JsonObject
        {
            ["plugins"] = new JsonObject
            {
                ["load"] = new JsonObject { ["paths"] = new JsonArray(pluginDir) },
                // A non-bundled plugin joins the start-up set only when explicitly enabled (gateway-startup-plugin-loader).
                ["entries"] = new JsonObject
                {
                    ["startup-hold"] = new JsonObject { ["enabled"] = true, ["config"] = new JsonObject { ["releaseFile"] = release, ["maxHoldMs"] = 300000 } },
                },
            },
        };

        RealGateway? gw = null;
        try
        {
            // Returns once the gateway listens and refuses connects with startup-sidecars (its readiness probe saw it).
            gw = await RealGateway.StartAsync(configPatch: patch.ToJsonString(), untilListening: true);
            using var dir = new StateDir();
            NodeProcess node = NodeProcess.Start(gw, dir.Path, extra: new[] { "--display-name", "startup-window" });
            await using var _ = node;

            // Several refusals in a row while the plugin holds the window; the host keeps running.
            static bool IsStartupRetry(JsonObject s) => s.Str("state") == "Reconnecting" && (s.Str("message") ?? "").Contains("startup-sidecars");
            await node.WaitForAsync(_ => node.Statuses.Count(IsStartupRetry) >= 1, TimeSpan.FromSeconds(120));
            var window = Stopwatch.StartNew();
            await node.WaitForAsync(_ => node.Statuses.Count(IsStartupRetry) >= 4, TimeSpan.FromSeconds(60));
            Assert.False(node.HasExited);
            Assert.DoesNotContain(node.Statuses, s => s.Str("state") == "Connected");

            // The status file tells the same story while the window lasts.
            NodeStatus during = NodeStatusReader.Read(dir.Path);
            Assert.False(during.Connection.Connected);
            Assert.True(during.Connection.ReconnectAttempts >= 4, $"reconnectAttempts {during.Connection.ReconnectAttempts}");
            Assert.Equal("Unavailable", during.Connection.LastErrorKind);
            Assert.Contains("startup-sidecars", during.Connection.LastError);

            int beforeRelease = node.Count;
            int refusalsBeforeRelease = node.Statuses.Count(IsStartupRetry);
            window.Stop();
            File.WriteAllText(release, "go");
            JsonObject connected = await node.WaitForStateAsync("Connected", TimeSpan.FromSeconds(120), beforeRelease);

            // Every retry waited the gateway's retryAfterMs (500 ms, inside the reference client's 100..2000 ms clamp),
            // not a tight loop and not the 1-30 s reconnect back-off.
            var retries = node.Statuses.Where(IsStartupRetry).ToList();
            Assert.All(retries, s => Assert.Equal(500L, (long)s["retryInMs"]!));
            // Each attempt waits >= 500 ms before the next, so the attempts seen inside the measured window are bounded by it.
            int inWindow = refusalsBeforeRelease - 1;
            Assert.True(inWindow <= window.Elapsed.TotalMilliseconds / 500 + 4,
                $"{inWindow} refusals in {window.Elapsed.TotalMilliseconds:0} ms: the host retried faster than retryAfterMs");

            // Same device identity throughout, and it is the one in the state directory.
            string deviceId = connected.Str("deviceId")!;
            Assert.All(node.Statuses, s => Assert.Equal(deviceId, s.Str("deviceId")));
            string stored = ((JsonObject)JsonNode.Parse(File.ReadAllText(dir.File(Path.Combine("identity", "device.json"))))!).Str("deviceId")!;
            Assert.Equal(deviceId, stored);

            // The gateway's side: the hold was released and the gateway reported itself ready; our refusals were closed
            // as start-up refusals (no auth or pairing failure was logged for this device).
            string gatewayLog = File.ReadAllText(Path.Combine(gw.Directory, "gateway.log"));
            Assert.Contains("startup-hold: released after", gatewayLog);
            Assert.Contains("[gateway] ready", gatewayLog);
            Assert.Contains("The gateway is still starting", node.Stderr);

            NodeStatus after = NodeStatusReader.Read(dir.Path);
            Assert.True(after.Connection.Connected);
            Assert.Equal(deviceId, after.Host.DeviceId);
        }
        finally
        {
            File.WriteAllText(release, "go");   // never leave the gateway held (its stop would wait on the service)
            if (gw is not null) { await gw.DisposeAsync(); }
            try { Directory.Delete(pluginRoot, true); } catch (IOException) { }
        }
    }
}
