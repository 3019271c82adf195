using System;
using System.Collections.Generic;
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

    /// <summary>
    /// Serves pages on loopback: <c>/</c> a button that writes "clicked!" and logs to the console; <c>/agent</c> a page
    /// with a confirm dialog, cookies (one from a Set-Cookie header, one from script), local storage, a download link, a
    /// button that polls <c>/api.json</c> and a file input that shows the chosen file's name and text.
    /// </summary>
    private sealed class TestSite : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _apiCalls;

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

        /// <summary>The bytes <c>/report.bin</c> serves as an attachment (3 MiB, fixed seed).</summary>
        public byte[] Report { get; } = MakeReport();

        private static byte[] MakeReport()
        {
            var b = new byte[3 * 1024 * 1024];
            new Random(42).NextBytes(b);
            return b;
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                byte[] body;
                switch (ctx.Request.Url!.AbsolutePath)
                {
                    case "/agent":
                        ctx.Response.ContentType = "text/html; charset=utf-8";
                        ctx.Response.AppendHeader("Set-Cookie", "served=fromheader; Path=/");
                        body = Encoding.UTF8.GetBytes(
                            "<!doctype html><html><head><title>Agent page</title></head><body>" +
                            "<button onclick=\"document.getElementById('out').textContent = confirm('Proceed?') ? 'confirmed' : 'cancelled'\">Ask</button>" +
                            "<a href=\"/report.bin\">Download report</a>" +
                            "<button onclick=\"setInterval(() => fetch('/api.json').then(r => r.text()).then(t => document.getElementById('api').textContent = t), 250)\">Poll</button>" +
                            "<input type=\"file\" id=\"f\" onchange=\"const f = this.files[0]; f.text().then(t => document.getElementById('out').textContent = 'file:' + f.name + ':' + t)\">" +
                            "<p id=\"out\">waiting</p><p id=\"api\"></p>" +
                            "<script>document.cookie = 'js=fromscript; path=/'; localStorage.setItem('greeting', 'hello');</script></body></html>");
                        break;
                    case "/frames":
                        ctx.Response.ContentType = "text/html; charset=utf-8";
                        body = Encoding.UTF8.GetBytes(
                            "<!doctype html><html><head><title>Frames page</title></head><body><h1>Shaped snapshots</h1>" +
                            "<button onclick=\"document.getElementById('out').textContent='save 1'; const b = document.createElement('button'); b.textContent = 'Added'; document.getElementById('more').appendChild(b)\">Save</button>" +
                            "<button onclick=\"document.getElementById('out').textContent='save 2'\">Save</button>" +
                            "<a href=\"/\">Go home</a><p id=\"out\">idle</p><div id=\"more\"></div>" +
                            "<iframe id=\"inner\" srcdoc=\"<button onclick=&quot;this.textContent='inner clicked'&quot;>Inner button</button>\"></iframe>" +
                            "</body></html>");
                        break;
                    case "/doc.txt":
                        ctx.Response.ContentType = "text/plain; charset=utf-8";
                        body = Encoding.UTF8.GetBytes("the current document");
                        break;
                    case "/auth":
                        // Basic authentication for agent:secret; a challenge otherwise.
                        ctx.Response.ContentType = "text/html; charset=utf-8";
                        if (ctx.Request.Headers["Authorization"] == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("agent:secret")))
                        {
                            body = Encoding.UTF8.GetBytes("<!doctype html><title>Auth</title><p id=\"out\">welcome agent</p>");
                        }
                        else
                        {
                            ctx.Response.StatusCode = 401;
                            ctx.Response.AppendHeader("WWW-Authenticate", "Basic realm=\"test\"");
                            body = Encoding.UTF8.GetBytes("<!doctype html><title>Auth</title><p id=\"out\">denied</p>");
                        }
                        break;
                    case "/report.bin":
                        ctx.Response.ContentType = "application/octet-stream";
                        ctx.Response.AppendHeader("Content-Disposition", "attachment; filename=\"report.bin\"");
                        body = Report;
                        break;
                    case "/api.json":
                        ctx.Response.ContentType = "application/json";
                        body = Encoding.UTF8.GetBytes($"{{\"hello\":\"world\",\"call\":{Interlocked.Increment(ref _apiCalls)}}}");
                        break;
                    default:
                        ctx.Response.ContentType = "text/html; charset=utf-8";
                        body = Encoding.UTF8.GetBytes(
                            "<!doctype html><html><head><title>Proxy test page</title></head><body><h1>Browser proxy</h1>" +
                            "<button onclick=\"document.getElementById('out').textContent='clicked!';console.log('button was clicked')\">Press me</button>" +
                            "<p id=\"out\">waiting</p></body></html>");
                        break;
                }
                ctx.Response.ContentLength64 = body.Length;
                try
                {
                    await ctx.Response.OutputStream.WriteAsync(body);
                    ctx.Response.Close();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException) { }
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

    /// <summary>The installed official package's browser-control routes (dist/routes-*.mjs), to check that each route this test drives exists there.</summary>
    private static string OfficialRoutesSource()
    {
        string cache = Environment.GetEnvironmentVariable("OPENCLAW_GATEWAY_CACHE") is { Length: > 0 } c ? c : Path.Combine(RealGateway.RepoRoot, ".cache", "openclaw-gateway");
        string dist = Path.Combine(cache, "openclaw", "node_modules", "openclaw", "dist");
        return Directory.GetFiles(dist, "routes-*.mjs").Select(File.ReadAllText).Single(t => t.Contains("registerBrowserAgentActHookRoutes", StringComparison.Ordinal));
    }

    /// <summary>
    /// Checks <paramref name="actual"/> has exactly the keys of <paramref name="shape"/> with their JSON types: a shape is a
    /// JSON object whose values are <c>"string"</c>, <c>"number"</c>, <c>"boolean"</c>, <c>"true"</c>, <c>"object"</c>,
    /// <c>"array"</c> (a trailing <c>?</c>: optional), a nested shape, or a one-element array holding the shape of every item;
    /// a key ending in <c>?</c> is optional too.
    /// </summary>
    private static void AssertShape(JsonNode? actual, string shape, string where = "result") => AssertShape(actual, JsonNode.Parse(shape)!, where);

    private static void AssertShape(JsonNode? actual, JsonNode shape, string where)
    {
        switch (shape)
        {
            case JsonObject so:
            {
                JsonObject ao = Assert.IsType<JsonObject>(actual);
                foreach (var kv in so)
                {
                    string key = kv.Key.TrimEnd('?');
                    bool optional = kv.Key.EndsWith('?') || (kv.Value is JsonValue ov && ov.GetValue<string>().EndsWith('?'));
                    if (!ao.ContainsKey(key)) { Assert.True(optional, $"{where}: key '{key}' missing in {ao.ToJsonString()}"); continue; }
                    JsonNode inner = kv.Value is JsonValue iv ? JsonValue.Create(iv.GetValue<string>().TrimEnd('?'))! : kv.Value!;
                    AssertShape(ao[key], inner, where + "." + key);
                }
                foreach (var kv in ao) { Assert.True(so.ContainsKey(kv.Key) || so.ContainsKey(kv.Key + "?"), $"{where}: unexpected key '{kv.Key}' in {ao.ToJsonString()}"); }
                break;
            }
            case JsonArray sa:
            {
                JsonArray aa = Assert.IsType<JsonArray>(actual);
                foreach (JsonNode? item in aa) { AssertShape(item, sa[0]!, where + "[]"); }
                break;
            }
            default:
            {
                string type = shape.GetValue<string>();
                System.Text.Json.JsonValueKind kind = actual?.GetValueKind() ?? System.Text.Json.JsonValueKind.Null;
                bool ok = type switch
                {
                    "string" => kind == System.Text.Json.JsonValueKind.String,
                    "number" => kind == System.Text.Json.JsonValueKind.Number,
                    "boolean" => kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
                    "true" => kind == System.Text.Json.JsonValueKind.True,
                    "object" => kind == System.Text.Json.JsonValueKind.Object,
                    "array" => kind == System.Text.Json.JsonValueKind.Array,
                    _ => throw new ArgumentException("unknown shape type " + type),
                };
                Assert.True(ok, $"{where}: expected {type}, got {kind} ({actual?.ToJsonString()})");
                break;
            }
        }
    }

    /// <summary>Polls <paramref name="check"/> until it holds or <paramref name="within"/> passes.</summary>
    private static async Task PollAsync(Func<Task<bool>> check, TimeSpan within, string what)
    {
        DateTime deadline = DateTime.UtcNow + within;
        while (!await check())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(200);
        }
    }

    // Result shapes, read from the installed openclaw package (dist/routes-*.mjs and dist/pw-*.mjs: the agent act, hook,
    // download, debug, storage and permission routes and the Playwright helpers they call).
    private const string ActShape = """{"ok":"boolean","targetId":"string","url":"string?","downloads?":[{"url":"string","suggestedFilename":"string","path":"string"}]}""";
    private const string DialogRecord = """{"id":"string","type":"string","message":"string","defaultValue":"string?","openedAt":"string","closedAt":"string?","closedBy":"string?"}""";
    private const string BrowserStateShape = "{\"dialogs\":{\"pending\":[" + DialogRecord + "],\"recent\":[" + DialogRecord + "]}}";
    private const string MutationShape = """{"ok":"boolean","targetId":"string"}""";
    private const string CookieShape = """{"name":"string","value":"string","domain":"string","path":"string","expires":"number","httpOnly":"boolean","secure":"boolean","sameSite":"string","partitionKey":"string?"}""";
    private const string DownloadShape = """{"ok":"boolean","targetId":"string","download":{"url":"string","suggestedFilename":"string","path":"string"}}""";
    private const string DebugShape = """{"ok":"boolean","targetId":"string","url":"string?"}""";

    [ChromiumFact]
    public async Task Agent_sequence_answers_a_dialog_reads_cookies_downloads_reads_a_response_body_and_uploads_with_official_shapes()
    {
        Assert.True(File.Exists(HelperPath), "openclaw-browser was not built at " + HelperPath);
        string official = OfficialRoutesSource();
        foreach (string route in new[]
        {
            "app.post(\"/hooks/dialog\"", "app.get(\"/dialogs\"", "app.get(\"/cookies\"", "app.post(\"/cookies/set\"", "app.post(\"/cookies/clear\"",
            "app.get(\"/storage/:kind\"", "app.post(\"/download\"", "app.post(\"/wait/download\"", "app.post(\"/response/body\"",
            "app.post(\"/hooks/file-chooser\"", "app.post(\"/set/timezone\"", "app.post(\"/set/media\"", "app.post(\"/trace/start\"",
            "app.post(\"/trace/stop\"", "app.post(\"/permissions/grant\"", "app.post(\"/set/credentials\"",
        })
        {
            Assert.Contains(route, official);
        }

        using var site = new TestSite();
        using var dir = new StateDir();
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "browser-agent");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();
        JsonNode listed = (await op.ListNodesAsync(default)).Arr("nodes")!.Single(n => n.Str("nodeId") == deviceId)!;
        Assert.Contains("browser.proxy.upload.v1", listed.StrArray("commands")!);

        async Task<JsonObject> Call(string method, string path, JsonObject? query = null, JsonNode? body = null, int timeoutMs = 60000) =>
            (JsonObject)(await ProxyAsync(op, deviceId, Req(method, path, query, body, timeoutMs))).Obj("result")!;
        async Task<string> Text(string targetId) => (await Call("GET", "/text", new JsonObject { ["targetId"] = targetId, ["selector"] = "#out" })).Str("text")!;

        string page = site.Url + "agent";
        JsonObject opened = await Call("POST", "/tabs/open", body: new JsonObject { ["url"] = page });
        string targetId = opened.Str("targetId")!;

        // Viewport (act resize, as the tool sends it) and emulation settings.
        JsonObject resized = await Call("POST", "/act", body: new JsonObject { ["kind"] = "resize", ["width"] = 900, ["height"] = 700, ["targetId"] = targetId });
        AssertShape(resized, ActShape, "act resize");
        AssertShape(await Call("POST", "/set/timezone", body: new JsonObject { ["timezoneId"] = "Asia/Tokyo", ["targetId"] = targetId }), MutationShape, "set/timezone");
        AssertShape(await Call("POST", "/set/media", body: new JsonObject { ["colorScheme"] = "dark", ["targetId"] = targetId }), MutationShape, "set/media");
        JsonObject evaluated = await Call("POST", "/act", body: new JsonObject
        {
            ["kind"] = "evaluate", ["targetId"] = targetId,
            ["fn"] = "() => ({ width: window.innerWidth, zone: Intl.DateTimeFormat().resolvedOptions().timeZone, dark: matchMedia('(prefers-color-scheme: dark)').matches })",
        });
        Assert.Equal(900, evaluated.Obj("result")!.Long("width"));
        Assert.Equal("Asia/Tokyo", evaluated.Obj("result")!.Str("zone"));
        Assert.True(evaluated.Obj("result")!.Bool("dark"));
        Assert.Equal(3, evaluated.Obj("result")!.Count);

        JsonObject snap = await Call("GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = targetId });
        string Ref(string role, string name) => snap.Obj("refs")!.Single(kv => kv.Value.Str("role") == role && kv.Value.Str("name") == name).Key;

        // A click that opens a confirm(): the action ends blocked by the dialog, which the agent then accepts.
        JsonObject blocked = await Call("POST", "/act", body: new JsonObject { ["kind"] = "click", ["ref"] = Ref("button", "Ask"), ["targetId"] = targetId });
        AssertShape(blocked, """{"ok":"boolean","targetId":"string","url":"string?","blockedByDialog":"true","browserState":""" + BrowserStateShape + "}", "act blocked");
        JsonNode pending = blocked.Obj("browserState")!.Obj("dialogs")!.Arr("pending")!.Single()!;
        Assert.Equal("confirm", pending.Str("type"));
        Assert.Equal("Proceed?", pending.Str("message"));
        // While it is open a snapshot says so rather than waiting on the blocked page.
        JsonObject whileBlocked = await Call("GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = targetId });
        AssertShape(whileBlocked, "{\"ok\":\"boolean\",\"format\":\"string\",\"targetId\":\"string\",\"url\":\"string\",\"blockedByDialog\":\"true\",\"browserState\":" + BrowserStateShape + ",\"snapshot\":\"string\",\"refs\":\"object\"}", "snapshot while blocked");
        JsonObject dialogs = await Call("GET", "/dialogs", new JsonObject { ["targetId"] = targetId });
        AssertShape(dialogs, """{"ok":"boolean","targetId":"string","url":"string?","browserState":""" + BrowserStateShape + "}", "dialogs");
        AssertShape(await Call("POST", "/hooks/dialog", body: new JsonObject { ["accept"] = true, ["dialogId"] = pending.Str("id"), ["targetId"] = targetId }), """{"ok":"boolean"}""", "hooks/dialog");
        await PollAsync(async () => await Text(targetId) == "confirmed", Wait, "the accepted confirm() to show on the page");
        // Armed first: the next dialog is dismissed without blocking the click.
        await Call("POST", "/hooks/dialog", body: new JsonObject { ["accept"] = false, ["targetId"] = targetId });
        JsonObject unblocked = await Call("POST", "/act", body: new JsonObject { ["kind"] = "click", ["ref"] = Ref("button", "Ask"), ["targetId"] = targetId });
        Assert.False(unblocked.ContainsKey("blockedByDialog"));
        await PollAsync(async () => await Text(targetId) == "cancelled", Wait, "the dismissed confirm() to show on the page");
        JsonNode recent = (await Call("GET", "/dialogs", new JsonObject { ["targetId"] = targetId })).Obj("browserState")!.Obj("dialogs")!.Arr("recent")!.Last()!;
        Assert.Equal("armed", recent.Str("closedBy"));

        // Cookies the page set (one by header, one by script), then set and clear through the routes; local storage.
        JsonObject cookies = await Call("GET", "/cookies", new JsonObject { ["targetId"] = targetId });
        AssertShape(cookies, "{\"ok\":\"boolean\",\"targetId\":\"string\",\"cookies\":[" + CookieShape + "]}", "cookies");
        Assert.Equal("fromheader", cookies.Arr("cookies")!.Single(c => c.Str("name") == "served")!.Str("value"));
        Assert.Equal("fromscript", cookies.Arr("cookies")!.Single(c => c.Str("name") == "js")!.Str("value"));
        AssertShape(await Call("POST", "/cookies/set", body: new JsonObject { ["cookie"] = new JsonObject { ["name"] = "agent", ["value"] = "42", ["url"] = site.Url }, ["targetId"] = targetId }), MutationShape, "cookies/set");
        Assert.Contains((await Call("GET", "/cookies")).Arr("cookies")!, c => c.Str("name") == "agent" && c.Str("value") == "42");
        AssertShape(await Call("POST", "/cookies/clear", body: new JsonObject { ["targetId"] = targetId }), MutationShape, "cookies/clear");
        Assert.Empty((await Call("GET", "/cookies")).Arr("cookies")!);
        JsonObject storage = await Call("GET", "/storage/local", new JsonObject { ["targetId"] = targetId });
        AssertShape(storage, """{"ok":"boolean","targetId":"string","values":"object"}""", "storage");
        Assert.Equal("hello", storage.Obj("values")!.Str("greeting"));

        // Download by ref into the node's downloads directory: the file comes back inline (3 MiB, within the caps) and intact.
        JsonObject downloaded = await ProxyAsync(op, deviceId, Req("POST", "/download", body: new JsonObject { ["ref"] = Ref("link", "Download report"), ["path"] = "report.bin", ["targetId"] = targetId }, timeoutMs: 60000));
        AssertShape(downloaded.Obj("result"), DownloadShape, "download");
        string savedPath = downloaded.Obj("result")!.Obj("download")!.Str("path")!;
        Assert.Equal(Path.Combine(dir.Path, "browser", "downloads", "report.bin"), savedPath);
        JsonNode inlined = downloaded.Arr("files")!.Single()!;
        Assert.Equal(savedPath, inlined.Str("path"));
        Assert.Equal(site.Report, Convert.FromBase64String(inlined.Str("base64")!));
        // A download outside the downloads directory is refused.
        var outside = await Assert.ThrowsAsync<GatewayException>(() => Call("POST", "/download", body: new JsonObject { ["ref"] = Ref("link", "Download report"), ["path"] = "/tmp/escape.bin", ["targetId"] = targetId }));
        Assert.Contains("400: Invalid path", outside.Message);

        // A response body: the wait is armed first, then the page starts polling /api.json.
        Task<JsonObject> bodyWait = Call("POST", "/response/body", body: new JsonObject { ["url"] = "*/api.json", ["timeoutMs"] = 30000, ["targetId"] = targetId });
        await Call("POST", "/act", body: new JsonObject { ["kind"] = "click", ["ref"] = Ref("button", "Poll"), ["targetId"] = targetId });
        JsonObject response = await bodyWait;
        AssertShape(response, """{"ok":"boolean","targetId":"string","url":"string?","response":{"url":"string","status":"number","headers":"object","body":"string","truncated":"boolean?"}}""", "response/body");
        Assert.Equal(200, response.Obj("response")!.Long("status"));
        Assert.Equal("world", JsonNode.Parse(response.Obj("response")!.Str("body")!).Str("hello"));

        // Upload as the gateway's browser tool sends it: browser.proxy.upload.v1 with the bytes, a body without paths.
        JsonObject uploaded = (JsonObject)(await op.InvokeAsync(deviceId, "browser.proxy.upload.v1", new JsonObject
        {
            ["method"] = "POST", ["path"] = "/hooks/file-chooser", ["timeoutMs"] = 30000, ["errorEnvelope"] = "browser-v1",
            ["body"] = new JsonObject { ["element"] = "#f", ["targetId"] = targetId },
            ["upload"] = new JsonObject
            {
                ["envelope"] = "browser-upload-v1",
                ["files"] = new JsonArray(new JsonObject { ["name"] = "notes.txt", ["contentBase64"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("uploaded by the agent")) }),
            },
        }, 60000, default))!;
        AssertShape(uploaded.Obj("result"), """{"ok":"boolean"}""", "hooks/file-chooser");
        Assert.Equal("resolved", uploaded.Obj("route")!.Str("status"));
        await PollAsync(async () => await Text(targetId) == "file:notes.txt:uploaded by the agent", Wait, "the uploaded file to reach the page");
        string staged = Path.Combine(dir.Path, "browser", "uploads", ".proxy-uploads");
        Assert.Single(Directory.GetDirectories(staged, "upload-*"));
        // Plain browser.proxy refuses an upload envelope; the upload command refuses paths in the body.
        var plain = await Assert.ThrowsAsync<GatewayException>(() => op.InvokeAsync(deviceId, "browser.proxy", new JsonObject
        {
            ["method"] = "POST", ["path"] = "/hooks/file-chooser", ["body"] = new JsonObject(), ["upload"] = new JsonObject { ["envelope"] = "browser-upload-v1" },
        }, 30000, default));
        Assert.Contains("browser.proxy does not accept upload envelopes", plain.Message);

        // Trace (the zip comes back inline), permissions, and a route this node cannot serve.
        AssertShape(await Call("POST", "/trace/start", body: new JsonObject { ["targetId"] = targetId }), DebugShape, "trace/start");
        JsonObject trace = await ProxyAsync(op, deviceId, Req("POST", "/trace/stop", body: new JsonObject { ["targetId"] = targetId }));
        AssertShape(trace.Obj("result"), """{"ok":"boolean","targetId":"string","url":"string?","path":"string"}""", "trace/stop");
        Assert.Equal(new byte[] { (byte)'P', (byte)'K' }, Convert.FromBase64String(trace.Arr("files")!.Single()!.Str("base64")!).Take(2).ToArray());
        JsonObject granted = await Call("POST", "/permissions/grant", body: new JsonObject { ["origin"] = site.Url, ["permissions"] = new JsonArray("geolocation"), ["targetId"] = targetId });
        AssertShape(granted, """{"ok":"boolean","origin":"string","grantedPermissions":["string"],"unsupportedPermissions":["string"],"grantMethod":"string"}""", "permissions/grant");

        await Call("POST", "/stop");
    }

    /// <summary>
    /// Starts the official node host (<c>openclaw node run</c> through scripts/gateway.sh) with its browser set to Debian's
    /// headless Chromium, approves its pairing and returns its process and node id.
    /// </summary>
    private async Task<(System.Diagnostics.Process Host, string NodeId)> StartOfficialAsync(StateDir dir, string name)
    {
        Directory.CreateDirectory(Path.Combine(dir.Path, "state"));
        File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // The official host refuses private-network navigation unless told otherwise; the test page is on loopback.
        File.WriteAllText(Path.Combine(dir.Path, "state", "openclaw.json"), new JsonObject
        {
            ["browser"] = new JsonObject
            {
                ["enabled"] = true, ["executablePath"] = ChromiumFactAttribute.Chromium, ["headless"] = true, ["noSandbox"] = true,
                ["ssrfPolicy"] = new JsonObject { ["dangerouslyAllowPrivateNetwork"] = true },
            },
        }.ToJsonString());
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(RealGateway.RepoRoot, "scripts", "gateway.sh"), "node-host", _gw.Directory, dir.Path, "--display-name", name }) { psi.ArgumentList.Add(a); }
        var output = new StringBuilder();
        var host = System.Diagnostics.Process.Start(psi)!;
        host.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        host.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        await using OperatorClient op = await _gw.OperatorAsync();
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(host.HasExited, "the official node host exited: " + output);
            foreach (JsonNode? d in (await op.ListDevicePairingAsync(default)).Arr("pending") ?? new JsonArray())
            {
                if (d.Str("displayName") == name) { try { await op.ApproveDevicePairingAsync(d.Str("requestId")!, default); } catch (GatewayException) { } }
            }
            foreach (JsonNode? n in (await op.ListNodePairingAsync(default)).Arr("pending") ?? new JsonArray())
            {
                if (n.Str("displayName") == name) { try { await op.ApproveNodePairingAsync(n.Str("requestId")!, default); } catch (GatewayException) { } }
            }
            foreach (JsonNode? n in (await op.ListNodesAsync(default)).Arr("nodes") ?? new JsonArray())
            {
                if (n.Str("displayName") == name && n.Bool("connected") == true && n.Str("approvalState") == "approved"
                    && (n.StrArray("commands") ?? new System.Collections.Generic.List<string>()).Contains("browser.proxy"))
                {
                    return (host, n.Str("nodeId")!);
                }
            }
            // The official host is another process making progress on its own; there is no event to wait on.
            await Task.Delay(250);
        }
        string listed = (await op.ListNodesAsync(default)).ToJsonString();
        host.Kill(true);
        throw new TimeoutException("the official node host did not connect with browser.proxy: " + listed + "\n" + output);
    }

    /// <summary>
    /// The shape of a JSON value: objects keep their keys (sorted) with the shapes of their values, arrays the merged shape
    /// of their items, scalars their kind (<c>string</c>, <c>number</c>, <c>boolean</c>, <c>null</c>).
    /// </summary>
    private static JsonNode ShapeOf(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
            {
                var s = new JsonObject();
                foreach (var kv in o.OrderBy(kv => kv.Key, StringComparer.Ordinal)) { s[kv.Key] = ShapeOf(kv.Value); }
                return s;
            }
            case JsonArray a:
            {
                JsonNode? merged = null;
                foreach (JsonNode? item in a) { merged = merged is null ? ShapeOf(item) : Merge(merged, ShapeOf(item)); }
                return merged is null ? new JsonArray() : new JsonArray(merged);
            }
            default:
                return JsonValue.Create((node?.GetValueKind() ?? System.Text.Json.JsonValueKind.Null) switch
                {
                    System.Text.Json.JsonValueKind.String => "string",
                    System.Text.Json.JsonValueKind.Number => "number",
                    System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "boolean",
                    _ => "null",
                })!;
        }
    }

    private static JsonNode Merge(JsonNode a, JsonNode b)
    {
        if (a is JsonObject ao && b is JsonObject bo)
        {
            var m = (JsonObject)ao.DeepClone();
            foreach (var kv in bo) { m[kv.Key] = m.ContainsKey(kv.Key) ? Merge(m[kv.Key]!, kv.Value!) : kv.Value!.DeepClone(); }
            return m;
        }
        return a.DeepClone();
    }

    /// <summary>Lists where two shapes differ, as JSON paths with both sides, skipping <paramref name="ignored"/> paths.</summary>
    private static void Diff(JsonNode? official, JsonNode? ours, string path, System.Collections.Generic.ICollection<string> ignored, System.Collections.Generic.List<string> diffs)
    {
        bool Ignored(string p) => ignored.Contains(p) || ignored.Any(i => i.StartsWith('*') && p.EndsWith(i[1..], StringComparison.Ordinal));
        if (Ignored(path)) { return; }
        if (official is JsonObject oo && ours is JsonObject uo)
        {
            foreach (string key in oo.Select(kv => kv.Key).Union(uo.Select(kv => kv.Key)))
            {
                string p = path + "." + key;
                if (Ignored(p)) { continue; }
                if (!oo.ContainsKey(key)) { diffs.Add($"{p}: only ours has it ({uo[key]!.ToJsonString()})"); }
                else if (!uo.ContainsKey(key)) { diffs.Add($"{p}: only the official host has it ({oo[key]!.ToJsonString()})"); }
                else { Diff(oo[key], uo[key], p, ignored, diffs); }
            }
            return;
        }
        if (official is JsonArray oa && ours is JsonArray ua)
        {
            // An empty list has no item shape to compare (e.g. no console message of a kind).
            if (oa.Count > 0 && ua.Count > 0) { Diff(oa[0], ua[0], path + "[]", ignored, diffs); }
            return;
        }
        if (official?.ToJsonString() != ours?.ToJsonString()) { diffs.Add($"{path}: official {official?.ToJsonString()}, ours {ours?.ToJsonString()}"); }
    }

    /// <summary>
    /// The agent's sequence through <c>browser.proxy</c> on one node: status, start, open the test page, snapshot, click
    /// the button by its ref, snapshot showing the result, label the tab, an interactive (role-ref) snapshot through the
    /// label, a labelled snapshot, text, screenshot, console; then on a second page a frame-scoped snapshot, a batch a
    /// navigation ends, a current-document download and HTTP credentials; stop. Returns each step's whole
    /// invoke payload (<c>result</c> and inlined <c>files</c>).
    /// </summary>
    private static async Task<System.Collections.Generic.List<(string Step, JsonObject Payload)>> AgentSequenceAsync(OperatorClient op, string nodeId, string url)
    {
        var steps = new System.Collections.Generic.List<(string, JsonObject)>();
        async Task<JsonObject> Step(string name, string method, string path, JsonObject? query = null, JsonNode? body = null)
        {
            JsonObject payload = await ProxyAsync(op, nodeId, Req(method, path, query, body, 60000));
            steps.Add((name, payload));
            return (JsonObject)payload.Obj("result")!;
        }
        await Step("status", "GET", "/");
        await Step("start", "POST", "/start");
        JsonObject opened = await Step("tabs/open", "POST", "/tabs/open", body: new JsonObject { ["url"] = url });
        string targetId = opened.Str("targetId")!;
        await Step("tabs", "GET", "/tabs");
        JsonObject snap = await Step("snapshot", "GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = targetId });
        Assert.Contains("waiting", snap.Str("snapshot"));
        string buttonRef = snap.Obj("refs")!.Single(kv => kv.Value.Str("role") == "button" && kv.Value.Str("name") == "Press me").Key;
        await Step("act click", "POST", "/act", body: new JsonObject { ["kind"] = "click", ["ref"] = buttonRef, ["targetId"] = targetId });
        JsonObject after = await Step("snapshot after", "GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = targetId });
        Assert.Contains("clicked!", after.Str("snapshot"));
        await Step("tabs/action label", "POST", "/tabs/action", body: new JsonObject { ["action"] = "label", ["targetId"] = targetId, ["label"] = "agent" });
        JsonObject role = await Step("snapshot interactive", "GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = "agent", ["interactive"] = true });
        Assert.Contains("Press me", role.Str("snapshot"));
        await Step("snapshot labels", "GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = targetId, ["interactive"] = true, ["labels"] = true });
        JsonObject text = await Step("text", "GET", "/text", new JsonObject { ["targetId"] = targetId });
        Assert.Contains("clicked!", text.Str("text"));
        JsonObject shot = await Step("screenshot", "POST", "/screenshot", body: new JsonObject { ["targetId"] = targetId });
        Assert.False(string.IsNullOrEmpty(shot.Str("path")));
        JsonObject console = await Step("console", "GET", "/console", new JsonObject { ["targetId"] = targetId });
        Assert.Contains(console.Arr("messages")!, m => m.Str("text") == "button was clicked");

        // The second page: a snapshot scoped to its iframe, a batch a navigation ends, a download of the document the tab
        // shows, and HTTP credentials answering a Basic challenge.
        await Step("navigate", "POST", "/navigate", body: new JsonObject { ["url"] = url + "frames", ["targetId"] = targetId });
        JsonObject framed = await Step("snapshot frame", "GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = targetId, ["frame"] = "#inner" });
        Assert.Contains("Inner button", framed.Str("snapshot"));
        JsonObject links = await Step("snapshot compact", "GET", "/snapshot", new JsonObject { ["format"] = "ai", ["targetId"] = targetId, ["interactive"] = true });
        string home = links.Obj("refs")!.Single(kv => kv.Value.Str("name") == "Go home").Key;
        JsonObject batch = await Step("act batch", "POST", "/act", body: new JsonObject
        {
            ["kind"] = "batch", ["targetId"] = targetId,
            ["actions"] = new JsonArray(new JsonObject { ["kind"] = "click", ["ref"] = home }, new JsonObject { ["kind"] = "wait", ["timeMs"] = 10 }),
        });
        Assert.Equal("navigation", batch.Obj("aborted")!.Str("reason"));
        await Step("navigate document", "POST", "/navigate", body: new JsonObject { ["url"] = url + "doc.txt", ["targetId"] = targetId });
        await Step("download currentDocument", "POST", "/download", body: new JsonObject { ["currentDocument"] = true, ["expectedUrl"] = url + "doc.txt", ["targetId"] = targetId });
        await Step("set/credentials", "POST", "/set/credentials", body: new JsonObject { ["username"] = "agent", ["password"] = "secret", ["targetId"] = targetId });
        await Step("navigate auth", "POST", "/navigate", body: new JsonObject { ["url"] = url + "auth", ["targetId"] = targetId });
        JsonObject welcome = await Step("text auth", "GET", "/text", new JsonObject { ["targetId"] = targetId, ["selector"] = "#out" });
        Assert.Equal("welcome agent", welcome.Str("text"));
        await Step("set/credentials clear", "POST", "/set/credentials", body: new JsonObject { ["clear"] = true, ["targetId"] = targetId });
        await Step("stop", "POST", "/stop");
        return steps;
    }

    [ChromiumFact]
    public async Task Official_host_and_ours_answer_the_same_agent_sequence_with_the_same_shapes()
    {
        Assert.True(File.Exists(HelperPath), "openclaw-browser was not built at " + HelperPath);
        using var site = new TestSite();
        using var officialDir = new StateDir();
        var (official, officialId) = await StartOfficialAsync(officialDir, "browser-official");
        try
        {
            using var dir = new StateDir();
            var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "browser-ours");
            await using var _ = node;
            await using OperatorClient op = await _gw.OperatorAsync();

            var theirs = await AgentSequenceAsync(op, officialId, site.Url);
            var ours = await AgentSequenceAsync(op, deviceId, site.Url);

            // Intentional differences, each with its reason.
            var ignored = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal)
            {
                // This node drives Chromium over Playwright's pipe and opens no CDP port: no port, URL or page WebSocket.
                "status.result.cdpPort", "status.result.cdpUrl", "tabs/open.result.wsUrl", "tabs.result.tabs[].wsUrl",
                // Durable tab-ownership fingerprints are issued by the official host's CDP tab registry; this node issues
                // none and answers close-owned requests with "ownership-mismatch" (docs/design/browser-proxy-routes.md).
                "tabs/open.result.ownership", "tabs/action label.result.tab.wsUrl",
                // The official host's role refs carry the CDP DOM node id it marked the element with; this node finds a
                // role ref again by role, name and position (Playwright's getByRole), so it has no node id to report.
                "*.backendDOMNodeId",
                // Likewise the official host binds frame-scoped role refs to a DOM marker attribute (domMarker) and names
                // an iframe ref's CDP frame id (frameId); here the ref is found by role and name inside the frame selector.
                "*.domMarker", "*.frameId",
            };
            var diffs = new System.Collections.Generic.List<string>();
            for (int i = 0; i < theirs.Count; i++)
            {
                Assert.Equal(theirs[i].Step, ours[i].Step);
                Diff(ShapeOf(theirs[i].Payload), ShapeOf(ours[i].Payload), theirs[i].Step, ignored, diffs);
            }
            Assert.True(diffs.Count == 0, "shapes differ:\n" + string.Join("\n", diffs)
                + "\n\nofficial:\n" + string.Join("\n", theirs.Select(t => t.Step + ": " + Abbreviate(t.Payload)))
                + "\n\nours:\n" + string.Join("\n", ours.Select(t => t.Step + ": " + Abbreviate(t.Payload))));
        }
        finally
        {
            official.Kill(true);
            await official.WaitForExitAsync();
        }
    }

    private static string Abbreviate(JsonObject payload)
    {
        string s = payload.ToJsonString();
        return s.Length > 1500 ? s[..1500] + "…" : s;
    }

    [ChromiumFact]
    public async Task Tab_labels_role_ref_frame_and_labelled_snapshots_deltas_batch_abort_document_download_and_credentials()
    {
        Assert.True(File.Exists(HelperPath), "openclaw-browser was not built at " + HelperPath);
        string official = OfficialRoutesSource();
        foreach (string marker in new[] { "action !== \"label\"", "refsModeRaw === \"role\"", "frameSelectorValue", "screenshotWithLabelsViaPlaywright", "currentDocument", "app.post(\"/set/credentials\"", "const labels = toBoolean(body.labels) ?? false;" })
        {
            Assert.Contains(marker, official);
        }
        using var site = new TestSite();
        using var dir = new StateDir();
        var (node, deviceId) = await EndToEndTests.StartApprovedAsync(_gw, dir, "browser-shaped");
        await using var _ = node;
        await using OperatorClient op = await _gw.OperatorAsync();
        async Task<JsonObject> Call(string method, string path, JsonObject? query = null, JsonNode? body = null) =>
            (JsonObject)(await ProxyAsync(op, deviceId, Req(method, path, query, body, 60000))).Obj("result")!;
        async Task<string> Text(string targetId) => (await Call("GET", "/text", new JsonObject { ["targetId"] = targetId, ["selector"] = "#out" })).Str("text")!;
        const string TabShape = """{"targetId":"string","title":"string","url":"string","type":"string","suggestedTargetId":"string","tabId":"string","label":"string?"}""";
        const string SnapshotShape = """{"ok":"boolean","format":"string","targetId":"string","url":"string","snapshot":"string","refs":"object","stats":{"lines":"number","chars":"number","refs":"number","interactive":"number"},"newElements":"number?","truncated":"boolean?"}""";

        string targetId = (await Call("POST", "/tabs/open", body: new JsonObject { ["url"] = site.Url + "frames" })).Str("targetId")!;

        // Tab label: the tab is then addressed by it.
        JsonObject labelled = await Call("POST", "/tabs/action", body: new JsonObject { ["action"] = "label", ["targetId"] = targetId, ["label"] = "work" });
        AssertShape(labelled, "{\"ok\":\"boolean\",\"tab\":" + TabShape + "}", "tabs/action label");
        Assert.Equal("work", labelled.Obj("tab")!.Str("label"));
        Assert.Equal("work", labelled.Obj("tab")!.Str("suggestedTargetId"));
        var badLabel = await Assert.ThrowsAsync<GatewayException>(() => Call("POST", "/tabs/action", body: new JsonObject { ["action"] = "label", ["targetId"] = targetId, ["label"] = "no spaces" }));
        Assert.Contains("400: tab label must be 1-64 chars", badLabel.Message);

        // Role refs (refs=role with an interactive snapshot): repeated role+name get nth, and act finds the second one.
        JsonObject Snap(JsonObject r) { AssertShape(r, SnapshotShape, "snapshot"); return r; }
        var roleQuery = new JsonObject { ["targetId"] = "work", ["refs"] = "role", ["interactive"] = true };
        JsonObject first = Snap(await Call("GET", "/snapshot", (JsonObject)roleQuery.DeepClone()));
        Assert.False(first.ContainsKey("newElements"));
        var saves = first.Obj("refs")!.Where(kv => kv.Value.Str("name") == "Save").ToList();
        Assert.Equal(2, saves.Count);
        Assert.Equal(new long?[] { 0, 1 }, saves.Select(kv => kv.Value.Long("nth")).ToArray());
        Assert.Contains($"button \"Save\" [ref={saves[1].Key}] [nth=1]", first.Str("snapshot"));
        Assert.Matches("^e[0-9]+$", saves[1].Key);
        await Call("POST", "/act", body: new JsonObject { ["kind"] = "click", ["ref"] = saves[1].Key, ["targetId"] = targetId });
        Assert.Equal("save 2", await Text(targetId));

        // Deltas: the same snapshot again marks nothing new; after a click adds a button, it is marked [new].
        JsonObject second = Snap(await Call("GET", "/snapshot", (JsonObject)roleQuery.DeepClone()));
        Assert.Equal(0, second.Long("newElements"));
        Assert.DoesNotContain("[new]", second.Str("snapshot"));
        string firstSave = second.Obj("refs")!.Single(kv => kv.Value.Str("name") == "Save" && kv.Value.Long("nth") == 0).Key;
        await Call("POST", "/act", body: new JsonObject { ["kind"] = "click", ["ref"] = firstSave, ["targetId"] = targetId });
        Assert.Equal("save 1", await Text(targetId));
        JsonObject third = Snap(await Call("GET", "/snapshot", (JsonObject)roleQuery.DeepClone()));
        Assert.Equal(1, third.Long("newElements"));
        Assert.Matches("button \"Added\" \\[ref=e[0-9]+\\] \\[new\\]", third.Str("snapshot"));
        Assert.EndsWith("1 new element(s) since last snapshot", third.Str("snapshot"));

        // A snapshot scoped to the iframe: its content only, and its refs act inside the frame.
        JsonObject framed = Snap(await Call("GET", "/snapshot", new JsonObject { ["targetId"] = targetId, ["frame"] = "#inner" }));
        Assert.Contains("Inner button", framed.Str("snapshot"));
        Assert.DoesNotContain("Save", framed.Str("snapshot"));
        string inner = framed.Obj("refs")!.Single(kv => kv.Value.Str("role") == "button").Key;
        await Call("POST", "/act", body: new JsonObject { ["kind"] = "click", ["ref"] = inner, ["targetId"] = targetId });
        Assert.Contains("inner clicked", (await Call("GET", "/snapshot", new JsonObject { ["targetId"] = targetId, ["frame"] = "#inner" })).Str("snapshot"));

        // Labels: the overlay screenshot comes back as imagePath (inlined) with one annotation per labelled ref.
        JsonObject withLabels = await ProxyAsync(op, deviceId, Req("GET", "/snapshot", new JsonObject { ["targetId"] = targetId, ["labels"] = true, ["interactive"] = true }));
        JsonObject lr = withLabels.Obj("result")!;
        AssertShape(lr, SnapshotShape[..^1] + ""","imagePath":"string","imageType":"string","labels":"true","labelsCount":"number","labelsSkipped":"number","annotations?":[{"ref":"string","number":"number","role":"string","name":"string?","box":{"x":"number","y":"number","width":"number","height":"number"}}]}""", "snapshot labels");
        Assert.True(lr.Long("labelsCount") >= 3, lr.ToJsonString());
        Assert.Contains(lr.Arr("annotations")!, a => a.Str("name") == "Added" && a.Obj("box")!["width"]!.GetValue<double>() > 0);
        JsonNode image = withLabels.Arr("files")!.Single(f => f.Str("path") == lr.Str("imagePath"))!;
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, Convert.FromBase64String(image.Str("base64")!).Take(4).ToArray());

        // POST /screenshot with labels, as the official route: the same overlay over a role snapshot of the page, as path.
        JsonObject labelledShot = await ProxyAsync(op, deviceId, Req("POST", "/screenshot", body: new JsonObject { ["targetId"] = targetId, ["labels"] = true }, timeoutMs: 60000));
        JsonObject sr = labelledShot.Obj("result")!;
        AssertShape(sr, """{"ok":"boolean","path":"string","targetId":"string","url":"string","labels":"true","labelsCount":"number","labelsSkipped":"number","annotations?":[{"ref":"string","number":"number","role":"string","name":"string?","box":{"x":"number","y":"number","width":"number","height":"number"}}]}""", "screenshot labels");
        Assert.True(sr.Long("labelsCount") >= 3, sr.ToJsonString());
        Assert.Contains(sr.Arr("annotations")!, a => a.Str("name") == "Added" && a.Obj("box")!["width"]!.GetValue<double>() > 0);
        JsonNode shotFile = labelledShot.Arr("files")!.Single(f => f.Str("path") == sr.Str("path"))!;
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, Convert.FromBase64String(shotFile.Str("base64")!).Take(4).ToArray());
        var fullPageLabels = await Assert.ThrowsAsync<GatewayException>(() => Call("POST", "/screenshot", body: new JsonObject { ["targetId"] = targetId, ["labels"] = true, ["fullPage"] = true }));
        Assert.Contains("400: labels on a fullPage, ref or element screenshot are not supported", fullPageLabels.Message);

        // A batch whose click navigates: the rest is skipped and reported.
        string home = (await Call("GET", "/snapshot", new JsonObject { ["targetId"] = targetId, ["interactive"] = true })).Obj("refs")!.Single(kv => kv.Value.Str("name") == "Go home").Key;
        JsonObject batch = await Call("POST", "/act", body: new JsonObject
        {
            ["kind"] = "batch", ["targetId"] = targetId,
            ["actions"] = new JsonArray(
                new JsonObject { ["kind"] = "click", ["ref"] = home },
                new JsonObject { ["kind"] = "wait", ["timeMs"] = 10 },
                new JsonObject { ["kind"] = "wait", ["timeMs"] = 10 }),
        });
        AssertShape(batch, """{"ok":"boolean","targetId":"string","url":"string","results":[{"ok":"boolean","error":"string?","navigated":"boolean?","url":"string?"}],"aborted":{"reason":"string","afterAction":"number","url":"string","skipped":"number"}}""", "act batch aborted");
        JsonObject aborted = batch.Obj("aborted")!;
        Assert.Equal("navigation", aborted.Str("reason"));
        Assert.Equal(site.Url, aborted.Str("url"));
        Assert.Equal(3, aborted.Long("afterAction") + aborted.Long("skipped"));
        Assert.True(batch.Arr("results")!.Last()!.Bool("navigated"));
        Assert.Equal(aborted.Long("afterAction"), batch.Arr("results")!.Count);

        // Download of the document the tab shows, only while it still shows the expected URL.
        await Call("POST", "/navigate", body: new JsonObject { ["url"] = site.Url + "doc.txt", ["targetId"] = targetId });
        JsonObject doc = await ProxyAsync(op, deviceId, Req("POST", "/download", body: new JsonObject { ["currentDocument"] = true, ["expectedUrl"] = site.Url + "doc.txt", ["targetId"] = targetId }));
        AssertShape(doc.Obj("result"), DownloadShape, "download currentDocument");
        Assert.Equal("doc.txt", doc.Obj("result")!.Obj("download")!.Str("suggestedFilename"));
        Assert.Equal("the current document", Encoding.UTF8.GetString(Convert.FromBase64String(doc.Arr("files")!.Single()!.Str("base64")!)));
        var changed = await Assert.ThrowsAsync<GatewayException>(() => Call("POST", "/download", body: new JsonObject { ["currentDocument"] = true, ["expectedUrl"] = site.Url + "other.txt", ["targetId"] = targetId }));
        Assert.Contains("The tab changed before its download completed", changed.Message);
        var combined = await Assert.ThrowsAsync<GatewayException>(() => Call("POST", "/download", body: new JsonObject { ["currentDocument"] = true, ["expectedUrl"] = site.Url + "doc.txt", ["ref"] = "e1" }));
        Assert.Contains("400: currentDocument cannot be combined with ref or path", combined.Message);

        // HTTP credentials answer the server's Basic challenge; cleared, the challenge is back. Without credentials the
        // headless browser fails the navigation on the challenge (Playwright cancels the auth prompt).
        var refused = await Assert.ThrowsAsync<GatewayException>(() => Call("POST", "/navigate", body: new JsonObject { ["url"] = site.Url + "auth", ["targetId"] = targetId }));
        Assert.Contains("ERR_INVALID_AUTH_CREDENTIALS", refused.Message);
        AssertShape(await Call("POST", "/set/credentials", body: new JsonObject { ["username"] = "agent", ["password"] = "secret", ["targetId"] = targetId }), MutationShape, "set/credentials");
        await Call("POST", "/navigate", body: new JsonObject { ["url"] = site.Url + "auth", ["targetId"] = targetId });
        Assert.Equal("welcome agent", await Text(targetId));
        AssertShape(await Call("POST", "/set/credentials", body: new JsonObject { ["clear"] = true, ["targetId"] = targetId }), MutationShape, "set/credentials clear");
        var again = await Assert.ThrowsAsync<GatewayException>(() => Call("POST", "/navigate", body: new JsonObject { ["url"] = site.Url + "auth", ["targetId"] = targetId }));
        Assert.Contains("ERR_INVALID_AUTH_CREDENTIALS", again.Message);

        await Call("POST", "/stop");
    }

    /// <summary>Runs <c>openclaw-node status --json</c> for <paramref name="stateDir"/> with the helper at <paramref name="helper"/> and returns its <c>browser</c> part.</summary>
    private static async Task<JsonObject> StatusBrowserAsync(string stateDir, string helper)
    {
        HostCli.Result r = await HostCli.RunAsync(new[] { "status", "--state-dir", stateDir, "--json" },
            env: new Dictionary<string, string?> { ["OPENCLAW_BROWSER_HOST"] = helper, ["PLAYWRIGHT_DRIVER_SEARCH_PATH"] = null }, timeout: TimeSpan.FromSeconds(60));
        string text = r.Stdout;
        Assert.True(text.TrimStart().StartsWith('{'), "status --json printed no JSON: " + text + r.Stderr);
        return (JsonObject)JsonNode.Parse(text)!.Obj("browser")!;
    }

    [ChromiumFact]
    public async Task Status_says_whether_the_helper_and_its_playwright_driver_are_installed()
    {
        using var dir = new StateDir();
        Directory.CreateDirectory(dir.Path);
        // The helper as built carries its driver: advertised.
        JsonObject ready = await StatusBrowserAsync(dir.Path, HelperPath);
        Assert.True(ready.Bool("advertised"), ready.ToJsonString());
        Assert.Equal(ChromiumFactAttribute.Chromium, ready.Str("executablePath"));
        Assert.EndsWith(".playwright", ready.Str("driverPath"));

        // The same helper without .playwright/ (a package built without --with-browser-driver): not advertised, and why.
        string copy = Path.Combine(dir.Path, "helper-without-driver");
        Directory.CreateDirectory(copy);
        foreach (string f in Directory.GetFiles(Path.GetDirectoryName(HelperPath)!)) { File.Copy(f, Path.Combine(copy, Path.GetFileName(f))); }
        JsonObject missing = await StatusBrowserAsync(dir.Path, Path.Combine(copy, "openclaw-browser"));
        Assert.False(missing.Bool("advertised"));
        Assert.Null(missing.Str("driverPath"));
        Assert.Contains("Playwright driver of openclaw-browser is not installed", missing.Str("problem"));
        Assert.Contains("--with-browser-driver", missing.Str("problem"));

        // No helper at all.
        JsonObject none = await StatusBrowserAsync(dir.Path, Path.Combine(dir.Path, "nowhere", "openclaw-browser"));
        Assert.False(none.Bool("advertised"));
        Assert.Contains("openclaw-browser helper is not installed", none.Str("problem"));
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

    /// <summary>Starts a node with <paramref name="config"/> as its openclaw.json and checks its pairing request declares no browser command.</summary>
    private async Task AssertNotAdvertisedAsync(string name, string config)
    {
        using var dir = new StateDir();
        Directory.CreateDirectory(dir.Path);
        File.WriteAllText(dir.File("openclaw.json"), config);
        var (node, request) = await PendingAsync(dir, name);
        await using var _ = node;
        Assert.Contains("system.run", request.StrArray("commands")!);
        Assert.DoesNotContain("browser.proxy", request.StrArray("commands")!);
        Assert.DoesNotContain("browser.proxy.upload.v1", request.StrArray("commands")!);
    }

    [Fact]
    public Task Disabled_by_config_is_not_advertised() =>
        AssertNotAdvertisedAsync("browser-disabled", "// node config\n{\n  nodeHost: {\n    browserProxy: { enabled: false, },\n  },\n}\n");

    [Fact]
    public Task Missing_browser_is_not_advertised() =>
        AssertNotAdvertisedAsync("browser-missing", "{ browser: { executablePath: '/nonexistent/chrome' } }");

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
