using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>A fact that needs Debian's chromium (scripts/test.sh installs it); skipped with a plain message without it.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) { Skip = "Debian chromium is not installed (apt-get install -y chromium); browser.proxy browser tests skipped."; }
    }
}

/// <summary>
/// browser.proxy through the real gateway: our node as a real process, the real openclaw-browser helper driving a real
/// headless Chromium, requests shaped as OpenClaw's browser tool sends them (docs/design/browser-proxy-routes.md).
/// </summary>
[Collection("gateway")]
public sealed class BrowserProxyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly RealGateway _gw;

    public BrowserProxyTests(GatewayFixture fixture)
    {
        _gw = fixture.Gateway;
        Environment.SetEnvironmentVariable("OPENCLAW_BROWSER_HOST", HelperPath);
    }

    /// <summary>The helper's own build output (it carries Playwright's driver in .playwright/).</summary>
    private static string HelperPath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            string configuration = dir.Parent!.Name; // bin/<Configuration>/net10.0/
            DirectoryInfo? root = dir;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "OpenClaw.PowerShell.sln"))) { root = root.Parent; }
            return Path.Combine(root!.FullName, "src", "OpenClaw.BrowserHost", "bin", configuration, "net10.0", "openclaw-browser");
        }
    }

    private static JsonObject Req(string method, string path, JsonObject? query = null, JsonNode? body = null, int timeoutMs = 30000)
    {
        var p = new JsonObject { ["method"] = method, ["path"] = path, ["timeoutMs"] = timeoutMs };
        if (query is not null) { p["query"] = query; }
        if (body is not null) { p["body"] = body; }
        return p;
    }

    private static async Task<JsonObject> ProxyAsync(OperatorClient op, string deviceId, JsonObject request) =>
        (JsonObject)(await op.InvokeAsync(deviceId, "browser.proxy", request, (int)(request.Long("timeoutMs") ?? 20000) + 30000, default))!;

    /// <summary>Serves one page on loopback: a button that writes "clicked!" and logs to the console.</summary>
    private sealed class TestSite : IDisposable
    {
        private readonly HttpListener _listener = new();

        public TestSite()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                byte[] page = Encoding.UTF8.GetBytes(
                    "<!doctype html><html><head><title>Proxy test page</title></head><body><h1>Browser proxy</h1>" +
                    "<button onclick=\"document.getElementById('out').textContent='clicked!';console.log('button was clicked')\">Press me</button>" +
                    "<p id=\"out\">waiting</p></body></html>");
                ctx.Response.ContentType = "text/html; charset=utf-8";
                ctx.Response.ContentLength64 = page.Length;
                await ctx.Response.OutputStream.WriteAsync(page);
                ctx.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }

    [ChromiumFact]
    public async Task Agent_style_sequence_opens_snapshots_clicks_and_screenshots_a_loopback_page_in_headless_chromium()
    {
        Assert.True(File.Exists(HelperPath), "openclaw-browser was not built at " + HelperPath);
        using var site = new TestSite();
        using var dir = new StateDir();
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "browser-e2e");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();

        JsonNode listed = (await op.ListNodesAsync(default)).Arr("nodes")!.Single(n => n.Str("nodeId") == deviceId)!;
        Assert.Contains("browser.proxy", listed.StrArray("commands")!);
        Assert.Contains("browser", listed.StrArray("caps")!);

        // Status before anything runs: the detected browser, not running.
        JsonObject status = (JsonObject)(await ProxyAsync(op, deviceId, Req("GET", "/"))).Obj("result")!;
        Assert.Equal("openclaw", status.Str("profile"));
        Assert.Equal(ChromiumFactAttribute.Chromium, status.Str("detectedExecutablePath"));
        Assert.False(status.Bool("running"));

        await ProxyAsync(op, deviceId, Req("POST", "/start"));
        JsonObject opened = (JsonObject)(await ProxyAsync(op, deviceId, Req("POST", "/tabs/open", body: new JsonObject { ["url"] = site.Url }))).Obj("result")!;
        string targetId = opened.Str("targetId")!;
        Assert.Equal("Proxy test page", opened.Str("title"));
        Assert.Equal("openclaw", opened.Str("resolvedProfile"));

        JsonObject tabs = (JsonObject)(await ProxyAsync(op, deviceId, Req("GET", "/tabs"))).Obj("result")!;
        Assert.True(tabs.Bool("running"));
        Assert.Contains(tabs.Arr("tabs")!, t => t.Str("targetId") == targetId && t.Str("url") == site.Url);

        // Snapshot (format ai, as the tool asks) → the button's ref → click it → the page changed.
        JsonObject snap = (JsonObject)(await ProxyAsync(op, deviceId, Req("GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = targetId, ["timeoutMs"] = 20000 }))).Obj("result")!;
        Assert.Equal("ai", snap.Str("format"));
        Assert.Contains("waiting", snap.Str("snapshot"));
        string buttonRef = snap.Obj("refs")!.Single(kv => kv.Value.Str("role") == "button" && kv.Value.Str("name") == "Press me").Key;
        JsonObject acted = (JsonObject)(await ProxyAsync(op, deviceId, Req("POST", "/act", body: new JsonObject { ["kind"] = "click", ["ref"] = buttonRef, ["targetId"] = targetId }))).Obj("result")!;
        Assert.True(acted.Bool("ok"));
        JsonObject after = (JsonObject)(await ProxyAsync(op, deviceId, Req("GET", "/snapshot", new JsonObject { ["targetId"] = targetId }))).Obj("result")!;
        Assert.Contains("clicked!", after.Str("snapshot"));
        Assert.DoesNotContain("waiting", after.Str("snapshot"));

        JsonObject console = (JsonObject)(await ProxyAsync(op, deviceId, Req("GET", "/console", new JsonObject { ["targetId"] = targetId }))).Obj("result")!;
        Assert.Contains(console.Arr("messages")!, m => m.Str("text") == "button was clicked");

        // Screenshot: the route names a file; the node inlines it.
        JsonObject shot = await ProxyAsync(op, deviceId, Req("POST", "/screenshot", body: new JsonObject { ["targetId"] = targetId }));
        string shotPath = shot.Obj("result")!.Str("path")!;
        JsonNode file = shot.Arr("files")!.Single()!;
        Assert.Equal(shotPath, file.Str("path"));
        Assert.Equal("image/png", file.Str("mimeType"));
        byte[] png = Convert.FromBase64String(file.Str("base64")!);
        Assert.True(png.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4).ToArray());
        Assert.StartsWith(Path.Combine(dir.Path, "browser"), shotPath);

        // Unknown route: the router's 404 comes back as "<status>: <error>".
        var unknown = await Assert.ThrowsAsync<GatewayException>(() => ProxyAsync(op, deviceId, Req("GET", "/no-such-route")));
        Assert.Contains("404: Not Found: GET /no-such-route", unknown.Message);
        // ... or as a browser-v1 envelope when asked.
        JsonObject envelope = await ProxyAsync(op, deviceId, new JsonObject { ["path"] = "/no-such-route", ["errorEnvelope"] = "browser-v1" });
        Assert.Equal(404, envelope.Obj("error")!.Long("status"));
        Assert.Equal("resolved", envelope.Obj("route")!.Str("status"));

        // Oversized: a 25 MiB evaluate result is refused by the node, not sent.
        var big = await Assert.ThrowsAsync<GatewayException>(() => ProxyAsync(op, deviceId,
            Req("POST", "/act", body: new JsonObject { ["kind"] = "evaluate", ["fn"] = "() => 'x'.repeat(25 * 1024 * 1024)", ["targetId"] = targetId }, timeoutMs: 120000)));
        Assert.Contains("browser proxy payload exceeds 24 MiB encoded limit", big.Message);

        // The same through the gateway's own browser.request (what the browser tool calls), targeting this node:
        // the gateway accepts our result shapes and writes the inlined screenshot back to a file of its own.
        JsonObject viaGateway = (JsonObject)(await op.CallAsync("browser.request", new JsonObject
        {
            ["method"] = "GET", ["path"] = "/snapshot", ["query"] = new JsonObject { ["targetId"] = targetId, ["format"] = "ai" },
            ["target"] = "node", ["node"] = deviceId, ["timeoutMs"] = 30000,
        }, TimeSpan.FromSeconds(60), default))!;
        Assert.Contains("clicked!", viaGateway.Str("snapshot"));
        JsonObject shotViaGateway = (JsonObject)(await op.CallAsync("browser.request", new JsonObject
        {
            ["method"] = "POST", ["path"] = "/screenshot", ["body"] = new JsonObject { ["targetId"] = targetId },
            ["target"] = "node", ["node"] = deviceId, ["timeoutMs"] = 30000,
        }, TimeSpan.FromSeconds(60), default))!;
        Assert.True(shotViaGateway.Bool("ok"));
        Assert.False(string.IsNullOrEmpty(shotViaGateway.Str("path")));

        JsonObject closed = (JsonObject)(await ProxyAsync(op, deviceId, Req("DELETE", "/tabs/" + targetId))).Obj("result")!;
        Assert.Equal(targetId, closed.Str("targetId"));
        JsonObject stopped = (JsonObject)(await ProxyAsync(op, deviceId, Req("POST", "/stop"))).Obj("result")!;
        Assert.True(stopped.Bool("stopped"));
    }

    /// <summary>Starts a node and returns the commands of its pairing request (no approval needed).</summary>
    private async Task<(NodeProcess Node, JsonNode Request)> PendingAsync(StateDir dir, string name)
    {
        NodeProcess node = NodeProcess.Start(_gw, dir.Path, extra: new[] { "--display-name", name });
        JsonObject connected = await node.WaitForStateAsync("Connected", Wait);
        string deviceId = connected.Str("deviceId")!;
        await node.WaitForStateAsync("AwaitingApproval", Wait);
        await using OperatorClient op = await _gw.OperatorAsync();
        JsonObject pairing = await op.ListNodePairingAsync(default);
        return (node, pairing.Arr("pending")!.Single(p => p.Str("nodeId") == deviceId)!);
    }

    [Fact]
    public async Task Disabled_by_config_is_not_advertised()
    {
        using var dir = new StateDir();
        Directory.CreateDirectory(dir.Path);
        File.WriteAllText(dir.File("openclaw.json"), "// node config\n{\n  nodeHost: {\n    browserProxy: { enabled: false, },\n  },\n}\n");
        var (node, request) = await PendingAsync(dir, "browser-disabled");
        await using var _ = node;
        Assert.Contains("system.run", request.StrArray("commands")!);
        Assert.DoesNotContain("browser.proxy", request.StrArray("commands")!);
    }

    [Fact]
    public async Task Missing_browser_is_not_advertised()
    {
        using var dir = new StateDir();
        Directory.CreateDirectory(dir.Path);
        File.WriteAllText(dir.File("openclaw.json"), "{ browser: { executablePath: '/nonexistent/chrome' } }");
        var (node, request) = await PendingAsync(dir, "browser-missing");
        await using var _ = node;
        Assert.Contains("system.run", request.StrArray("commands")!);
        Assert.DoesNotContain("browser.proxy", request.StrArray("commands")!);
    }

    [Fact]
    public async Task Malformed_config_exits_78_naming_the_line()
    {
        using var dir = new StateDir();
        Directory.CreateDirectory(dir.Path);
        File.WriteAllText(dir.File("openclaw.json"), "{\n  nodeHost: {\n    browserProxy: { enabled: nope },\n  },\n}\n");
        NodeProcess node = NodeProcess.Start(_gw, dir.Path);
        await using var _ = node;
        Assert.Equal(78, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("openclaw.json", node.Stderr);
        Assert.Contains("line 3, column 30", node.Stderr);
    }
}
