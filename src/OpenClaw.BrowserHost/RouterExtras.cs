using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.Playwright;

namespace OpenClaw.BrowserHost;

/// <summary>
/// The routes beyond tabs/snapshot/act: dialog and file-chooser hooks, downloads, cookies and web storage, the
/// <c>/set/*</c> emulation settings, permissions, tracing, highlight, response bodies and the doctor report. Shapes
/// follow OpenClaw's browser-control server (docs/design/browser-proxy-routes.md).
/// </summary>
internal sealed partial class Router
{
    /// <summary>Default wait for downloads, file choosers and armed dialogs (OpenClaw: 120 s).</summary>
    private const int DefaultHookTimeoutMs = 120_000;

    private string DownloadsDir => Path.Combine(_options.StateDirectory, "browser", "downloads");

    private string UploadsDir => Path.Combine(_options.StateDirectory, "browser", "uploads");

    private string TracesDir => Path.Combine(_options.StateDirectory, "browser", "traces");

    /// <summary>Serves the routes of this file; null when <paramref name="path"/> is none of them.</summary>
    private async Task<JsonNode?> ExtraRouteAsync(string method, string path, Dictionary<string, string> query, JsonObject body, Func<ProfileRuntime> profile)
    {
        switch (method, path)
        {
            case ("POST", "/hooks/dialog"): return await DialogHookAsync(profile(), body).ConfigureAwait(false);
            case ("GET", "/dialogs"):
            {
                (_, TabEntry tab) = await TabAsync(profile(), query.GetValueOrDefault("targetId")).ConfigureAwait(false);
                return Debug(tab, "browserState", tab.BrowserState());
            }
            case ("POST", "/hooks/file-chooser"): return await FileChooserAsync(profile(), body).ConfigureAwait(false);
            case ("POST", "/wait/download"): return await WaitDownloadAsync(profile(), body).ConfigureAwait(false);
            case ("POST", "/download"): return await DownloadAsync(profile(), body).ConfigureAwait(false);
            case ("GET", "/cookies"):
            {
                (_, TabEntry tab) = await TabAsync(profile(), query.GetValueOrDefault("targetId")).ConfigureAwait(false);
                var cookies = new JsonArray();
                foreach (BrowserContextCookiesResult c in await tab.Page.Context.CookiesAsync().ConfigureAwait(false)) { cookies.Add(CookieJson(c)); }
                return Ok(tab, ("cookies", cookies));
            }
            case ("POST", "/cookies/set"):
            {
                if (body["cookie"] is not JsonObject raw) { throw new RouteException(400, "cookie is required"); }
                Cookie cookie = ParseCookie(raw);
                if (string.IsNullOrEmpty(cookie.Name)) { throw new RouteException(400, "cookie name and value are required"); }
                (_, TabEntry tab) = await TabAsync(profile(), Str(body, "targetId")).ConfigureAwait(false);
                await tab.Page.Context.AddCookiesAsync(new[] { cookie }).ConfigureAwait(false);
                return Ok(tab);
            }
            case ("POST", "/cookies/set-many"):
            {
                if (body["cookies"] is not JsonArray { Count: > 0 } raw) { throw new RouteException(400, "cookies must be a non-empty array"); }
                var cookies = new List<Cookie>();
                foreach (JsonNode? c in raw) { cookies.Add(ParseCookie(c as JsonObject ?? throw new RouteException(400, "cookies must contain only cookie objects"))); }
                (_, TabEntry tab) = await TabAsync(profile(), Str(body, "targetId")).ConfigureAwait(false);
                int added = 0;
                foreach (Cookie[] batch in cookies.Chunk(500))
                {
                    try { await tab.Page.Context.AddCookiesAsync(batch).ConfigureAwait(false); added += batch.Length; }
                    catch (PlaywrightException)
                    {
                        // One cookie Playwright rejects must not drop the batch: retry them one by one.
                        foreach (Cookie one in batch)
                        {
                            try { await tab.Page.Context.AddCookiesAsync(new[] { one }).ConfigureAwait(false); added++; }
                            catch (PlaywrightException) { }
                        }
                    }
                }
                return Ok(tab, ("added", added));
            }
            case ("POST", "/cookies/clear"):
            {
                (_, TabEntry tab) = await TabAsync(profile(), Str(body, "targetId")).ConfigureAwait(false);
                await tab.Page.Context.ClearCookiesAsync().ConfigureAwait(false);
                return Ok(tab);
            }
            case ("GET", _) when path.StartsWith("/storage/", StringComparison.Ordinal) && path.Count(c => c == '/') == 2:
            {
                string kind = StorageKind(path["/storage/".Length..]);
                (_, TabEntry tab) = await TabAsync(profile(), query.GetValueOrDefault("targetId")).ConfigureAwait(false);
                string? key = query.GetValueOrDefault("key") is { Length: > 0 } k && k.Trim().Length > 0 ? k : null;
                JsonElement entries = await tab.Page.EvaluateAsync<JsonElement>(
                    "([kind, key]) => { const s = kind === 'session' ? window.sessionStorage : window.localStorage;" +
                    " if (key) { const v = s.getItem(key); return v === null ? {} : { [key]: v }; }" +
                    " const o = {}; for (let i = 0; i < s.length; i++) { const k = s.key(i); if (k !== null) { const v = s.getItem(k); if (v !== null) o[k] = v; } } return o; }",
                    new object?[] { kind, key }).ConfigureAwait(false);
                return Ok(tab, ("values", StripReferenceIds(JsonNode.Parse(entries.GetRawText()))));
            }
            case ("POST", _) when path.StartsWith("/storage/", StringComparison.Ordinal) && (path.EndsWith("/set", StringComparison.Ordinal) || path.EndsWith("/clear", StringComparison.Ordinal)) && path.Count(c => c == '/') == 3:
            {
                string[] parts = path.Split('/');
                string kind = StorageKind(parts[2]);
                if (parts[3] == "set")
                {
                    string key = body["key"] is JsonValue kv && kv.TryGetValue(out string? ks) && ks.Trim().Length > 0 ? ks : throw new RouteException(400, "key is required");
                    string value = body["value"] is JsonValue vv && vv.TryGetValue(out string? vs) ? vs : "";
                    (_, TabEntry tab) = await TabAsync(profile(), Str(body, "targetId")).ConfigureAwait(false);
                    await tab.Page.EvaluateAsync("([kind, k, v]) => (kind === 'session' ? window.sessionStorage : window.localStorage).setItem(k, v)", new object?[] { kind, key, value }).ConfigureAwait(false);
                    return Ok(tab);
                }
                else
                {
                    (_, TabEntry tab) = await TabAsync(profile(), Str(body, "targetId")).ConfigureAwait(false);
                    await tab.Page.EvaluateAsync("(kind) => (kind === 'session' ? window.sessionStorage : window.localStorage).clear()", kind).ConfigureAwait(false);
                    return Ok(tab);
                }
            }
            case ("POST", _) when path.StartsWith("/set/", StringComparison.Ordinal):
                return await SetAsync(path["/set/".Length..], profile(), body).ConfigureAwait(false);
            case ("POST", "/permissions/grant"): return await GrantPermissionsAsync(profile(), body).ConfigureAwait(false);
            case ("POST", "/trace/start"):
            {
                (ProfileRuntime p, TabEntry tab) = await TabAsync(profile(), Str(body, "targetId")).ConfigureAwait(false);
                if (p.TraceActive) { throw new RouteException(409, "Trace already running. Stop the current trace before starting a new one.", "trace_active"); }
                await tab.Page.Context.Tracing.StartAsync(new TracingStartOptions
                {
                    Screenshots = Bool(body, "screenshots") ?? true,
                    Snapshots = Bool(body, "snapshots") ?? true,
                    Sources = Bool(body, "sources") ?? false,
                }).ConfigureAwait(false);
                p.TraceActive = true;
                return OkUrl(tab);
            }
            case ("POST", "/trace/stop"):
            {
                (ProfileRuntime p, TabEntry tab) = await TabAsync(profile(), Str(body, "targetId")).ConfigureAwait(false);
                if (!p.TraceActive) { throw new RouteException(409, "No active trace. Start a trace before stopping it.", "trace_inactive"); }
                string file = ScopedPath(TracesDir, Str(body, "path"), $"browser-trace-{Guid.NewGuid()}.zip", "trace directory");
                string temp = file + ".part";
                await tab.Page.Context.Tracing.StopAsync(new TracingStopOptions { Path = temp }).ConfigureAwait(false);
                p.TraceActive = false;
                File.Move(temp, file, overwrite: true);
                return OkUrl(tab, ("path", file));
            }
            case ("POST", "/highlight"):
            {
                string reference = Str(body, "ref") ?? throw new RouteException(400, "ref is required");
                (_, TabEntry tab) = await TabAsync(profile(), Str(body, "targetId")).ConfigureAwait(false);
                await Locate(tab.Page, reference, null).HighlightAsync().ConfigureAwait(false);
                return OkUrl(tab);
            }
            case ("POST", "/response/body"): return await ResponseBodyAsync(profile(), body).ConfigureAwait(false);
            case ("GET", "/doctor"): return await DoctorAsync(profile(), query).ConfigureAwait(false);
            case ("POST", "/screencast"):
                // The gateway itself refuses screencasts over a node proxy; a direct node.invoke gets the same answer.
                throw new RouteException(501, "browser screencast is not available over a node proxy", "SCREENCAST_UNSUPPORTED");
            default: return null;
        }
    }

    // ---- dialogs and file choosers ------------------------------------------------------------------------------

    private async Task<JsonNode> DialogHookAsync(ProfileRuntime p, JsonObject body)
    {
        bool accept = Bool(body, "accept") ?? throw new RouteException(400, "accept is required");
        string? promptText = body["promptText"] is JsonValue pv && pv.TryGetValue(out string? ps) ? ps : null;
        string? dialogId = Str(body, "dialogId");
        int timeoutMs = Timeout(body) ?? DefaultHookTimeoutMs;
        (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        // A pending dialog is answered now; otherwise the answer is armed for the next one.
        if (!await tab.RespondToDialogAsync(dialogId, accept, promptText).ConfigureAwait(false)) { tab.ArmDialog(accept, promptText, timeoutMs); }
        return new JsonObject { ["ok"] = true };
    }

    private async Task<JsonNode> FileChooserAsync(ProfileRuntime p, JsonObject body)
    {
        string[] requested = (body["paths"] as JsonArray)?.Select(v => v is JsonValue sv && sv.TryGetValue(out string? s) ? s : "").Where(s => s.Length > 0).ToArray() ?? Array.Empty<string>();
        if (requested.Length == 0) { throw new RouteException(400, "paths are required"); }
        int timeout = Timeout(body) ?? DefaultHookTimeoutMs;
        string? reference = Str(body, "ref");
        string? inputRef = Str(body, "inputRef");
        string? element = Str(body, "element");
        (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        string[] files = requested.Select(UploadPath).ToArray();
        IPage page = tab.Page;
        if (inputRef is not null || element is not null)
        {
            if (reference is not null) { throw new RouteException(400, "ref cannot be combined with inputRef/element"); }
            await Locate(page, inputRef, element).SetInputFilesAsync(files, new LocatorSetInputFilesOptions { Timeout = timeout }).ConfigureAwait(false);
        }
        else if (reference is not null)
        {
            // Click the trigger and fill the chooser it opens, as one request.
            Task<IFileChooser> chooser = page.WaitForFileChooserAsync(new PageWaitForFileChooserOptions { Timeout = timeout });
            try { await Locate(page, reference, null).ClickAsync(new LocatorClickOptions { Timeout = timeout }).ConfigureAwait(false); }
            catch
            {
                _ = chooser.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                throw;
            }
            await (await chooser.ConfigureAwait(false)).SetFilesAsync(files).ConfigureAwait(false);
        }
        else
        {
            // Armed: the next chooser the page opens (within the time-out) gets these files.
            Task<IFileChooser> chooser = page.WaitForFileChooserAsync(new PageWaitForFileChooserOptions { Timeout = timeout });
            _ = chooser.ContinueWith(async t =>
            {
                if (t.IsCompletedSuccessfully) { try { await t.Result.SetFilesAsync(files).ConfigureAwait(false); } catch (PlaywrightException) { } }
                else { _ = t.Exception; }
            }, TaskScheduler.Default);
        }
        return new JsonObject { ["ok"] = true };
    }

    /// <summary>An existing file inside the uploads directory (the node stages gateway uploads there).</summary>
    private string UploadPath(string requested)
    {
        string root = Path.GetFullPath(UploadsDir);
        string full = Path.GetFullPath(Path.IsPathRooted(requested) ? requested : Path.Combine(root, requested));
        var info = new FileInfo(full);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(true) is FileSystemInfo target) { full = target.FullName; }
        if (!Within(root, full)) { throw new RouteException(400, $"Invalid path: \"{requested}\" must be inside the uploads directory ({root})", "invalid_path"); }
        if (!File.Exists(full)) { throw new RouteException(400, $"Invalid path: \"{requested}\" does not exist in the uploads directory ({root})", "invalid_path"); }
        return full;
    }

    // ---- downloads ----------------------------------------------------------------------------------------------

    private async Task<JsonNode> WaitDownloadAsync(ProfileRuntime p, JsonObject body)
    {
        int timeout = Timeout(body) ?? DefaultHookTimeoutMs;
        string? target = Str(body, "path") is { } requested ? ScopedPath(DownloadsDir, requested, null, "downloads directory") : null;
        (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        Task<IDownload> waiter = tab.ArmDownload();
        IDownload download = await AwaitDownloadAsync(tab, waiter, timeout).ConfigureAwait(false);
        JsonObject saved = await TabEntry.SaveDownloadAsync(download, DownloadsDir, target).ConfigureAwait(false);
        return new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId, ["download"] = saved };
    }

    private async Task<JsonNode> DownloadAsync(ProfileRuntime p, JsonObject body)
    {
        if (body["currentDocument"] is JsonNode cd && cd.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)) { throw new RouteException(400, "currentDocument must be a boolean"); }
        if (Bool(body, "currentDocument") == true) { return await DownloadCurrentDocumentAsync(p, body).ConfigureAwait(false); }
        if (body.ContainsKey("expectedUrl")) { throw new RouteException(400, "expectedUrl requires currentDocument"); }
        string reference = Str(body, "ref") ?? throw new RouteException(400, "ref is required");
        string requested = Str(body, "path") ?? throw new RouteException(400, "path is required");
        int timeout = Timeout(body) ?? DefaultHookTimeoutMs;
        string target = ScopedPath(DownloadsDir, requested, null, "downloads directory");
        (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        Task<IDownload> waiter = tab.ArmDownload();
        try { await Locate(tab.Page, reference, null).ClickAsync(new LocatorClickOptions { Timeout = timeout }).ConfigureAwait(false); }
        catch
        {
            tab.DisarmDownload(waiter);
            throw;
        }
        IDownload download = await AwaitDownloadAsync(tab, waiter, timeout).ConfigureAwait(false);
        JsonObject saved = await TabEntry.SaveDownloadAsync(download, DownloadsDir, target).ConfigureAwait(false);
        return new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId, ["download"] = saved };
    }

    /// <summary>
    /// <c>{currentDocument: true, expectedUrl}</c>: saves the document the tab shows (a PDF viewer, a file opened in the
    /// tab) as a download, as OpenClaw does: only while the tab still shows <c>expectedUrl</c>, by clicking a
    /// <c>download</c> anchor to it from inside the page; the file gets the implicit name <c>&lt;uuid&gt;-&lt;name&gt;</c>.
    /// </summary>
    private async Task<JsonNode> DownloadCurrentDocumentAsync(ProfileRuntime p, JsonObject body)
    {
        if (body.ContainsKey("ref") || body.ContainsKey("path")) { throw new RouteException(400, "currentDocument cannot be combined with ref or path"); }
        string expected = Str(body, "expectedUrl") ?? throw new RouteException(400, "expectedUrl is required for currentDocument");
        if (!Uri.TryCreate(expected, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https")) { throw new RouteException(400, "Only HTTP(S) documents can be downloaded"); }
        int timeout = Timeout(body) ?? DefaultHookTimeoutMs;
        (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        if (tab.Page.IsClosed || tab.Page.Url != expected) { throw new RouteException(409, "The tab changed before its download completed. Try again.", "tab_changed"); }
        Task<IDownload> waiter = tab.ArmDownload();
        try
        {
            await tab.Page.EvaluateAsync(@"(documentUrl) => {
                if (location.href !== documentUrl) throw new Error('The tab changed before its download started. Try again.');
                const anchor = document.createElement('a');
                anchor.href = location.href;
                anchor.download = '';
                anchor.click();
            }", expected).ConfigureAwait(false);
        }
        catch
        {
            tab.DisarmDownload(waiter);
            throw;
        }
        IDownload download = await AwaitDownloadAsync(tab, waiter, timeout).ConfigureAwait(false);
        JsonObject saved = await TabEntry.SaveDownloadAsync(download, DownloadsDir, null).ConfigureAwait(false);
        return new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId, ["download"] = saved };
    }

    private static async Task<IDownload> AwaitDownloadAsync(TabEntry tab, Task<IDownload> waiter, int timeoutMs)
    {
        try { return await waiter.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs)).ConfigureAwait(false); }
        catch (TimeoutException)
        {
            tab.DisarmDownload(waiter);
            throw new RouteException(504, "Timeout waiting for download", "download_timeout");
        }
    }

    // ---- emulation and permissions ------------------------------------------------------------------------------

    private async Task<JsonNode> SetAsync(string setting, ProfileRuntime p, JsonObject body)
    {
        switch (setting)
        {
            case "offline":
            {
                bool offline = Bool(body, "offline") ?? throw new RouteException(400, "offline is required");
                (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
                await tab.Page.Context.SetOfflineAsync(offline).ConfigureAwait(false);
                return Ok(tab);
            }
            case "headers":
            {
                if (body["headers"] is not JsonObject h) { throw new RouteException(400, "headers is required"); }
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (KeyValuePair<string, JsonNode?> kv in h) { if (kv.Value is JsonValue v && v.TryGetValue(out string? s)) { headers[kv.Key] = s; } }
                (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
                await tab.Page.Context.SetExtraHTTPHeadersAsync(headers).ConfigureAwait(false);
                return Ok(tab);
            }
            case "credentials":
            {
                (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
                if (Bool(body, "clear") == true) { await p.SetCredentialsAsync(null).ConfigureAwait(false); }
                else
                {
                    string username = Str(body, "username") ?? throw new RouteException(400, "username is required (or set clear=true)");
                    string password = body["password"] is JsonValue pv && pv.TryGetValue(out string? pw) ? pw : "";
                    await p.SetCredentialsAsync(new HttpCredentials { Username = username, Password = password }).ConfigureAwait(false);
                }
                return Ok(tab);
            }
            case "geolocation":
            {
                (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
                IBrowserContext ctx = tab.Page.Context;
                if (Bool(body, "clear") == true)
                {
                    await ctx.SetGeolocationAsync(null).ConfigureAwait(false);
                    try { await ctx.ClearPermissionsAsync().ConfigureAwait(false); } catch (PlaywrightException) { }
                    return Ok(tab);
                }
                double lat = Number(body, "latitude") ?? throw new RouteException(400, "latitude and longitude are required (or set clear=true)");
                double lon = Number(body, "longitude") ?? throw new RouteException(400, "latitude and longitude are required (or set clear=true)");
                if (lat is < -90 or > 90) { throw new RouteException(400, "latitude must be between -90 and 90."); }
                if (lon is < -180 or > 180) { throw new RouteException(400, "longitude must be between -180 and 180."); }
                double? accuracy = Number(body, "accuracy");
                if (accuracy < 0) { throw new RouteException(400, "accuracy must be non-negative."); }
                string? origin = Str(body, "origin") is { } o ? HttpOrigin(o) ?? throw new RouteException(400, "origin must be an http(s) origin") : HttpOrigin(tab.Page.Url);
                await ctx.SetGeolocationAsync(new Geolocation { Latitude = (float)lat, Longitude = (float)lon, Accuracy = (float?)accuracy }).ConfigureAwait(false);
                if (origin is not null)
                {
                    try { await ctx.GrantPermissionsAsync(new[] { "geolocation" }, new BrowserContextGrantPermissionsOptions { Origin = origin }).ConfigureAwait(false); }
                    catch (PlaywrightException) { }
                }
                return Ok(tab);
            }
            case "media":
            {
                ColorScheme scheme = Str(body, "colorScheme") switch
                {
                    "dark" => ColorScheme.Dark,
                    "light" => ColorScheme.Light,
                    "no-preference" => ColorScheme.NoPreference,
                    "none" => ColorScheme.Null,
                    _ => throw new RouteException(400, "colorScheme must be dark|light|no-preference|none"),
                };
                (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
                await tab.Page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme }).ConfigureAwait(false);
                return Ok(tab);
            }
            case "timezone":
            {
                string tz = Str(body, "timezoneId") ?? throw new RouteException(400, "timezoneId is required");
                (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
                ICDPSession cdp = await EmulationAsync(tab).ConfigureAwait(false);
                try
                {
                    await cdp.SendAsync("Emulation.setTimezoneOverride", new Dictionary<string, object> { ["timezoneId"] = "" }).ConfigureAwait(false);
                    await cdp.SendAsync("Emulation.setTimezoneOverride", new Dictionary<string, object> { ["timezoneId"] = tz }).ConfigureAwait(false);
                }
                catch (PlaywrightException ex) when (ex.Message.Contains("Invalid timezone", StringComparison.OrdinalIgnoreCase))
                {
                    throw new RouteException(400, $"Invalid timezone ID: {tz}", "invalid_timezone");
                }
                return Ok(tab);
            }
            case "locale":
            {
                string locale = Str(body, "locale") ?? throw new RouteException(400, "locale is required");
                (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
                ICDPSession cdp = await EmulationAsync(tab).ConfigureAwait(false);
                // An override is replaced by clearing it first (Chromium refuses a second one otherwise).
                await cdp.SendAsync("Emulation.setLocaleOverride").ConfigureAwait(false);
                await cdp.SendAsync("Emulation.setLocaleOverride", new Dictionary<string, object> { ["locale"] = locale }).ConfigureAwait(false);
                return Ok(tab);
            }
            case "device":
            {
                string name = Str(body, "name") ?? throw new RouteException(400, "name is required");
                _playwright ??= await CreatePlaywrightAsync().ConfigureAwait(false);
                if (!_playwright.Devices.TryGetValue(name, out BrowserNewContextOptions? d)) { throw new RouteException(400, $"Unknown device \"{name}\".", "unknown_device"); }
                (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
                ViewportSize viewport = d.ViewportSize ?? new ViewportSize { Width = 1280, Height = 720 };
                int screenWidth = d.ScreenSize?.Width ?? viewport.Width;
                int screenHeight = d.ScreenSize?.Height ?? viewport.Height;
                bool mobile = d.IsMobile ?? false;
                bool landscape = screenWidth > screenHeight;
                await tab.Page.SetViewportSizeAsync(viewport.Width, viewport.Height).ConfigureAwait(false);
                ICDPSession cdp = await EmulationAsync(tab).ConfigureAwait(false);
                if (d.UserAgent is { } ua) { await cdp.SendAsync("Emulation.setUserAgentOverride", new Dictionary<string, object> { ["userAgent"] = ua }).ConfigureAwait(false); }
                await cdp.SendAsync("Emulation.setDeviceMetricsOverride", new Dictionary<string, object>
                {
                    ["mobile"] = mobile,
                    ["width"] = viewport.Width,
                    ["height"] = viewport.Height,
                    ["deviceScaleFactor"] = d.DeviceScaleFactor ?? 1f,
                    ["screenWidth"] = screenWidth,
                    ["screenHeight"] = screenHeight,
                    ["screenOrientation"] = mobile && !landscape
                        ? new Dictionary<string, object> { ["angle"] = 0, ["type"] = "portraitPrimary" }
                        : new Dictionary<string, object> { ["angle"] = mobile ? 90 : 0, ["type"] = "landscapePrimary" },
                }).ConfigureAwait(false);
                await cdp.SendAsync("Emulation.setTouchEmulationEnabled", new Dictionary<string, object> { ["enabled"] = d.HasTouch ?? false }).ConfigureAwait(false);
                return Ok(tab);
            }
            default:
                throw new RouteException(404, $"Not Found: POST /set/{setting} is not a browser route this node serves");
        }
    }

    /// <summary>The tab's long-lived CDP session for emulation overrides (they end when their session detaches).</summary>
    private static async Task<ICDPSession> EmulationAsync(TabEntry tab)
    {
        tab.EmulationSession ??= await tab.Page.Context.NewCDPSessionAsync(tab.Page).ConfigureAwait(false);
        return tab.EmulationSession;
    }

    private async Task<JsonNode> GrantPermissionsAsync(ProfileRuntime p, JsonObject body)
    {
        string origin = HttpOrigin(Str(body, "origin")) ?? throw new RouteException(400, "origin must be an http(s) origin");
        string[] required = Permissions(body["permissions"]) is { Length: > 0 } r ? r : throw new RouteException(400, "permissions must be a non-empty string array");
        string[] optional = body["optionalPermissions"] is null ? Array.Empty<string>() : Permissions(body["optionalPermissions"]) ?? Array.Empty<string>();
        (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        string?[] mapped = required.Select(x => x switch { "audioCapture" => "microphone", "videoCapture" => "camera", _ => null }).ToArray();
        if (mapped.All(m => m is not null))
        {
            try
            {
                await tab.Page.Context.GrantPermissionsAsync(mapped!, new BrowserContextGrantPermissionsOptions { Origin = origin }).ConfigureAwait(false);
                return Granted(origin, required, optional, "playwright");
            }
            catch (PlaywrightException) { }
        }
        string[] all = required.Concat(optional).Distinct(StringComparer.Ordinal).ToArray();
        ICDPSession cdp = await EmulationAsync(tab).ConfigureAwait(false);
        try
        {
            await cdp.SendAsync("Browser.grantPermissions", new Dictionary<string, object> { ["origin"] = origin, ["permissions"] = all }).ConfigureAwait(false);
            return Granted(origin, all, Array.Empty<string>(), "cdp");
        }
        catch (PlaywrightException) when (optional.Length > 0)
        {
            await cdp.SendAsync("Browser.grantPermissions", new Dictionary<string, object> { ["origin"] = origin, ["permissions"] = required }).ConfigureAwait(false);
            return Granted(origin, required, optional, "cdp");
        }
    }

    private static JsonObject Granted(string origin, string[] granted, string[] unsupported, string method) => new()
    {
        ["ok"] = true,
        ["origin"] = origin,
        ["grantedPermissions"] = new JsonArray(granted.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()),
        ["unsupportedPermissions"] = new JsonArray(unsupported.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()),
        ["grantMethod"] = method,
    };

    private static string[]? Permissions(JsonNode? raw)
    {
        if (raw is not JsonArray a) { return null; }
        var list = new List<string>();
        foreach (JsonNode? v in a)
        {
            if (v is not JsonValue sv || !sv.TryGetValue(out string? s) || s.Trim().Length == 0) { return null; }
            if (!list.Contains(s.Trim())) { list.Add(s.Trim()); }
        }
        return list.ToArray();
    }

    // ---- response body, doctor ----------------------------------------------------------------------------------

    private async Task<JsonNode> ResponseBodyAsync(ProfileRuntime p, JsonObject body)
    {
        string pattern = Str(body, "url") ?? throw new RouteException(400, "url is required");
        int timeout = Timeout(body) ?? 20_000;
        int? maxCharsRaw = Int(body, "maxChars");
        if (maxCharsRaw is <= 0) { throw new RouteException(400, "maxChars must be a positive integer."); }
        int maxChars = Math.Clamp(maxCharsRaw ?? 200_000, 1, 5_000_000);
        (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        var found = new TaskCompletionSource<IResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnResponse(object? sender, IResponse r) { if (UrlMatches(pattern, r.Url)) { found.TrySetResult(r); } }
        void OnClose(object? sender, IPage page) => found.TrySetException(new RouteException(409, "Page closed before response body was available.", "tab_closed"));
        tab.Page.Response += OnResponse;
        tab.Page.Close += OnClose;
        IResponse response;
        try
        {
            // The next response whose URL matches, as OpenClaw waits for it (start this before triggering the request).
            response = await found.Task.WaitAsync(TimeSpan.FromMilliseconds(timeout)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new RouteException(404, $"Response not found for url pattern \"{pattern}\". Run GET /requests to inspect recent network activity.", "response_not_found");
        }
        finally
        {
            tab.Page.Response -= OnResponse;
            tab.Page.Close -= OnClose;
        }
        byte[] bytes = await response.BodyAsync().ConfigureAwait(false);
        int maxBytes = maxChars * 4;
        string text = new UTF8Encoding(false).GetString(bytes, 0, Math.Min(bytes.Length, maxBytes));
        bool truncated = bytes.Length > maxBytes || text.Length > maxChars;
        if (text.Length > maxChars) { text = text[..(char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars)]; }
        var headers = new JsonObject();
        foreach (KeyValuePair<string, string> h in response.Headers) { headers[h.Key] = h.Value; }
        var result = new JsonObject { ["url"] = response.Url, ["status"] = response.Status, ["headers"] = headers, ["body"] = text };
        if (truncated) { result["truncated"] = true; }
        return OkUrl(tab, ("response", result));
    }

    private async Task<JsonNode> DoctorAsync(ProfileRuntime p, Dictionary<string, string> query)
    {
        JsonObject status = await StatusAsync(p).ConfigureAwait(false);
        bool running = status["running"]?.GetValue<bool>() == true;
        var checks = new JsonArray
        {
            Check("plugin-enabled", "Browser plugin", "pass", "enabled"),
            Check("profile", "Profile", "pass", $"{p.Name} via cdp"),
            Check("managed-executable", "Chromium executable", "pass", $"{status["detectedBrowser"]} at {_options.ExecutablePath}"),
        };
        if (OperatingSystem.IsLinux() && Environment.UserName == "root" && !_options.NoSandbox)
        {
            checks.Add(Check("linux-sandbox", "Linux sandbox", "warn", "Node host is running as root while browser.noSandbox is false", "Set browser.noSandbox: true for container/root Chromium runtimes."));
        }
        checks.Add(Check("cdp-http", "CDP HTTP", running ? "pass" : "info", running ? "Browser is driven over Playwright's pipe (no CDP port)" : "Browser is not currently running"));
        checks.Add(Check("cdp-websocket", "CDP WebSocket", running ? "pass" : "info", running ? "Browser connection is up" : "Browser is launchable but not running"));
        if (IsTrue(query.GetValueOrDefault("deep")) || IsTrue(query.GetValueOrDefault("live")))
        {
            try
            {
                await EnsureRunningAsync(p).ConfigureAwait(false);
                checks.Add(Check("live-probe", "Live probe", "pass", "browser launched and answered"));
            }
            catch (PlaywrightException ex)
            {
                checks.Add(Check("live-probe", "Live probe", "fail", FirstLine(ex.Message), "Check browser.executablePath and browser.noSandbox."));
            }
        }
        bool ok = checks.All(c => c?["status"]?.GetValue<string>() != "fail");
        return new JsonObject { ["ok"] = ok, ["profile"] = p.Name, ["transport"] = "cdp", ["checks"] = checks, ["status"] = status };
    }

    private static JsonObject Check(string id, string label, string status, string summary, string? fixHint = null)
    {
        var o = new JsonObject { ["id"] = id, ["label"] = label, ["status"] = status, ["summary"] = summary };
        if (fixHint is not null) { o["fixHint"] = fixHint; }
        return o;
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /// <summary>Starts Playwright's driver, with a clear error when it is not installed (packages may ship without it).</summary>
    private static async Task<IPlaywright> CreatePlaywrightAsync()
    {
        if (DriverLocation() is null)
        {
            throw new RouteException(503,
                $"the Playwright driver is not installed: looked for .playwright/package/cli.js next to openclaw-browser ({AppContext.BaseDirectory}) " +
                "and under PLAYWRIGHT_DRIVER_SEARCH_PATH; install it with scripts/package.sh --with-browser-driver or copy a Playwright 1.64 " +
                ".playwright directory there", "driver_missing");
        }
        return await Playwright.CreateAsync().ConfigureAwait(false);
    }

    /// <summary>The directory holding <c>.playwright/</c> (Playwright's own search order), or null.</summary>
    internal static string? DriverLocation()
    {
        foreach (string? dir in new[] { AppContext.BaseDirectory, Environment.GetEnvironmentVariable("PLAYWRIGHT_DRIVER_SEARCH_PATH") })
        {
            if (!string.IsNullOrWhiteSpace(dir) && File.Exists(Path.Combine(dir, ".playwright", "package", "cli.js"))) { return dir; }
        }
        return null;
    }

    /// <summary><c>{ok, targetId}</c> plus <paramref name="extra"/>: the answer of OpenClaw's cookie, storage and <c>/set/*</c> routes.</summary>
    private static JsonObject Ok(TabEntry tab, params (string Key, JsonNode? Value)[] extra)
    {
        var o = new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId };
        foreach ((string k, JsonNode? v) in extra) { o[k] = v; }
        return o;
    }

    /// <summary><c>{ok, targetId, url}</c> plus <paramref name="extra"/>: the answer of OpenClaw's debug routes (trace, highlight, response body).</summary>
    private static JsonObject OkUrl(TabEntry tab, params (string Key, JsonNode? Value)[] extra)
    {
        var o = new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId };
        if (!string.IsNullOrEmpty(tab.Page.Url)) { o["url"] = tab.Page.Url; }
        foreach ((string k, JsonNode? v) in extra) { o[k] = v; }
        return o;
    }

    private static JsonObject CookieJson(BrowserContextCookiesResult c)
    {
        var o = new JsonObject
        {
            ["name"] = c.Name,
            ["value"] = c.Value,
            ["domain"] = c.Domain,
            ["path"] = c.Path,
            ["expires"] = c.Expires,
            ["httpOnly"] = c.HttpOnly,
            ["secure"] = c.Secure,
            ["sameSite"] = c.SameSite.ToString(),
        };
        if (c.PartitionKey is not null) { o["partitionKey"] = c.PartitionKey; }
        return o;
    }

    private static Cookie ParseCookie(JsonObject raw)
    {
        string? S(string k) => raw[k] is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s : null;
        var c = new Cookie { Name = S("name") ?? "", Value = raw["value"] is JsonValue vv && vv.TryGetValue(out string? value) ? value : raw["value"]?.ToJsonString() ?? "" };
        c.Url = S("url");
        c.Domain = S("domain");
        c.Path = S("path");
        if (raw["expires"] is not null) { c.Expires = (float?)(Number(raw, "expires") ?? throw new RouteException(400, "cookie.expires must be a finite number.")); }
        c.HttpOnly = Bool(raw, "httpOnly");
        c.Secure = Bool(raw, "secure");
        c.SameSite = S("sameSite") switch { "Lax" => SameSiteAttribute.Lax, "None" => SameSiteAttribute.None, "Strict" => SameSiteAttribute.Strict, _ => null };
        if (c.Name.Length == 0 || raw["value"] is null) { throw new RouteException(400, "cookie name and value are required"); }
        if (c.Url is null && (c.Domain is null || c.Path is null)) { throw new RouteException(400, "cookie requires url, or domain+path"); }
        return c;
    }

    private static string StorageKind(string raw) => raw is "local" or "session" ? raw : throw new RouteException(400, "kind must be local|session");

    private static int? Timeout(JsonObject body)
    {
        if (body["timeoutMs"] is null) { return null; }
        int t = Int(body, "timeoutMs") ?? 0;
        return t > 0 ? t : throw new RouteException(400, "timeoutMs must be a positive integer.");
    }

    private static double? Number(JsonObject o, string key)
    {
        if (o[key] is not JsonValue v) { return null; }
        if (v.TryGetValue(out double d) && double.IsFinite(d)) { return d; }
        if (v.TryGetValue(out int i)) { return i; }
        if (v.TryGetValue(out long l)) { return l; }
        if (v.TryGetValue(out string? s) && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double p) && double.IsFinite(p)) { return p; }
        throw new RouteException(400, $"{key} must be a finite number.");
    }

    private static string? HttpOrigin(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || !Uri.TryCreate(raw.Trim(), UriKind.Absolute, out Uri? u) || (u.Scheme != "http" && u.Scheme != "https")) { return null; }
        return u.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>A writable path inside <paramref name="root"/> (relative names are taken inside it).</summary>
    private static string ScopedPath(string root, string? requested, string? defaultName, string label)
    {
        string rootFull = Path.GetFullPath(root);
        Directory.CreateDirectory(rootFull);
        string name = string.IsNullOrWhiteSpace(requested) ? defaultName ?? throw new RouteException(400, "path is required") : requested!.Trim();
        string full = Path.GetFullPath(Path.IsPathRooted(name) ? name : Path.Combine(rootFull, name));
        if (!Within(rootFull, full) || full == rootFull) { throw new RouteException(400, $"Invalid path: \"{name}\" must stay inside the {label} ({rootFull})", "invalid_path"); }
        if (Directory.Exists(full)) { throw new RouteException(400, $"Invalid path: \"{name}\" is a directory", "invalid_path"); }
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    private static bool Within(string root, string full)
    {
        string r = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return full.StartsWith(r, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>OpenClaw's URL pattern: exact, <c>*</c> wildcards, else a substring.</summary>
    internal static bool UrlMatches(string pattern, string url)
    {
        string p = pattern.Trim();
        if (p.Length == 0) { return false; }
        if (p == url || p == "*") { return true; }
        if (p.Contains('*', StringComparison.Ordinal))
        {
            string rx = "^" + string.Join(".*", p.Split('*').Select(Regex.Escape)) + "$";
            return Regex.IsMatch(url, rx, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        return url.Contains(p, StringComparison.Ordinal);
    }
}
