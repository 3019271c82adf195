using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Playwright;

namespace OpenClaw.BrowserHost;

/// <summary>
/// The browser-control routes OpenClaw's browser tool sends through <c>browser.proxy</c>
/// (docs/design/browser-proxy-routes.md), served with Playwright over a local Chromium. Answers are the JSON bodies the
/// official control server returns for the same routes; failures are <see cref="RouteException"/>s.
/// </summary>
internal sealed partial class Router : IAsyncDisposable
{
    /// <summary>The default profile name, as in OpenClaw.</summary>
    public const string DefaultProfile = "openclaw";

    private static readonly string[] ProfileColors = { "#FF4500", "#0066CC", "#00AA00", "#9933FF", "#FF6699" };

    private readonly BrowserOptions _options;
    private readonly Dictionary<string, ProfileRuntime> _profiles = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _launch = new(1, 1);
    private IPlaywright? _playwright;

    /// <summary>Creates the router; nothing is launched until a route needs a browser.</summary>
    public Router(BrowserOptions options)
    {
        _options = options;
        _profiles[DefaultProfile] = new ProfileRuntime(DefaultProfile, ProfileColors[0]) { DownloadsDirectory = DownloadsDir };
        int i = 1;
        foreach (string name in options.ConfiguredProfiles)
        {
            if (!_profiles.ContainsKey(name)) { _profiles[name] = new ProfileRuntime(name, ProfileColors[i++ % ProfileColors.Length]) { DownloadsDirectory = DownloadsDir }; }
        }
    }

    /// <summary>Serves one request; returns the HTTP-like status and JSON body.</summary>
    public async Task<(int Status, JsonNode? Body)> DispatchAsync(JsonObject req, CancellationToken ct)
    {
        string method = (req["method"]?.GetValue<string>() ?? "GET").ToUpperInvariant();
        string path = req["path"]?.GetValue<string>() ?? "/";
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (req["query"] is JsonObject q)
        {
            foreach (KeyValuePair<string, JsonNode?> kv in q) { if (kv.Value is not null) { query[kv.Key] = kv.Value is JsonValue v && v.TryGetValue(out string? s) ? s : kv.Value.ToJsonString(); } }
        }
        int qmark = path.IndexOf('?', StringComparison.Ordinal);
        if (qmark >= 0)
        {
            foreach (string part in path[(qmark + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] kv = part.Split('=', 2);
                query[Uri.UnescapeDataString(kv[0])] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
            }
            path = path[..qmark];
        }
        if (path.Length > 1) { path = path.TrimEnd('/'); }
        JsonObject body = req["body"] as JsonObject ?? new JsonObject();
        try
        {
            JsonNode result = await RouteAsync(method, path, query, body, ct).ConfigureAwait(false);
            return (200, result);
        }
        catch (RouteException ex)
        {
            var err = new JsonObject { ["error"] = ex.Message };
            if (ex.Code is not null) { err["code"] = ex.Code; }
            return (ex.Status, err);
        }
        catch (PlaywrightException ex)
        {
            return (500, new JsonObject { ["error"] = FirstLine(ex.Message) });
        }
        catch (TimeoutException ex)
        {
            return (504, new JsonObject { ["error"] = FirstLine(ex.Message) });
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
        {
            // A body field of the wrong JSON type, an unusable argument.
            return (400, new JsonObject { ["error"] = FirstLine(ex.Message) });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (500, new JsonObject { ["error"] = FirstLine(ex.Message) });
        }
    }

    private async Task<JsonNode> RouteAsync(string method, string path, Dictionary<string, string> query, JsonObject body, CancellationToken ct)
    {
        ProfileRuntime Profile() => ResolveProfile(query.GetValueOrDefault("profile") ?? Str(body, "profile"));
        switch (method, path)
        {
            case ("GET", "/"): return await StatusAsync(Profile()).ConfigureAwait(false);
            case ("GET", "/profiles"): return await ProfilesAsync().ConfigureAwait(false);
            case ("POST", "/start"):
            {
                ProfileRuntime p = Profile();
                await EnsureRunningAsync(p).ConfigureAwait(false);
                return new JsonObject { ["ok"] = true, ["profile"] = p.Name };
            }
            case ("POST", "/stop"):
            {
                ProfileRuntime p = Profile();
                bool stopped = await p.StopAsync().ConfigureAwait(false);
                return new JsonObject { ["ok"] = true, ["stopped"] = stopped, ["profile"] = p.Name };
            }
            case ("GET", "/tabs"):
            {
                ProfileRuntime p = Profile();
                if (p.Context is null) { return new JsonObject { ["running"] = false, ["tabs"] = new JsonArray() }; }
                var tabs = new JsonArray();
                foreach (TabEntry t in p.TabList()) { tabs.Add(await TabJsonAsync(t).ConfigureAwait(false)); }
                return new JsonObject { ["running"] = true, ["tabs"] = tabs };
            }
            case ("POST", "/tabs/open"):
            {
                string url = Str(body, "url") ?? throw new RouteException(400, "url is required");
                ProfileRuntime p = Profile();
                TabEntry tab = await OpenTabAsync(p, url, Str(body, "label")).ConfigureAwait(false);
                JsonObject o = await TabJsonAsync(tab).ConfigureAwait(false);
                o["resolvedProfile"] = p.Name;
                return o;
            }
            case ("POST", "/tabs/focus"):
            {
                ProfileRuntime p = await RunningAsync(Profile()).ConfigureAwait(false);
                TabEntry tab = p.ResolveTab(Str(body, "targetId") ?? throw new RouteException(400, "targetId is required"));
                await tab.Page.BringToFrontAsync().ConfigureAwait(false);
                p.Current = tab.TargetId;
                return new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId };
            }
            case ("POST", "/tabs/action"): return await TabActionAsync(Profile(), body).ConfigureAwait(false);
            case ("DELETE", _) when path.StartsWith("/tabs/", StringComparison.Ordinal):
            {
                ProfileRuntime p = await RunningAsync(Profile()).ConfigureAwait(false);
                string id = Uri.UnescapeDataString(path["/tabs/".Length..]);
                TabEntry tab = query.GetValueOrDefault("targetIdMode") == "raw"
                    ? p.TabList().FirstOrDefault(t => t.TargetId == id) ?? throw new RouteException(404, "tab not found: " + id, "tab_not_found")
                    : p.ResolveTab(id);
                await tab.Page.CloseAsync().ConfigureAwait(false);
                p.Remove(tab.TargetId);
                return new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId };
            }
            case ("POST", "/navigate"):
            {
                string url = Str(body, "url") ?? throw new RouteException(400, "url is required");
                (ProfileRuntime p, TabEntry tab) = await TabAsync(Profile(), Str(body, "targetId")).ConfigureAwait(false);
                await tab.Page.GotoAsync(url, new PageGotoOptions { Timeout = Int(body, "timeoutMs") ?? 30000 }).ConfigureAwait(false);
                p.Current = tab.TargetId;
                return new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId, ["url"] = tab.Page.Url };
            }
            case ("GET", "/snapshot"): return await SnapshotAsync(Profile(), query).ConfigureAwait(false);
            case ("POST", "/screenshot"): return await ScreenshotAsync(Profile(), body).ConfigureAwait(false);
            case ("POST", "/pdf"):
            {
                (_, TabEntry tab) = await TabAsync(Profile(), Str(body, "targetId")).ConfigureAwait(false);
                string file = MediaPath("pdf");
                await tab.Page.PdfAsync(new PagePdfOptions { Path = file }).ConfigureAwait(false);
                return new JsonObject { ["ok"] = true, ["path"] = file, ["targetId"] = tab.TargetId, ["url"] = tab.Page.Url };
            }
            case ("POST", "/act"): return await ActAsync(Profile(), body).ConfigureAwait(false);
            case ("GET", "/console"):
            {
                (_, TabEntry tab) = await TabAsync(Profile(), query.GetValueOrDefault("targetId")).ConfigureAwait(false);
                string? level = query.GetValueOrDefault("level");
                var messages = new JsonArray();
                lock (tab.Console)
                {
                    foreach (JsonObject m in tab.Console)
                    {
                        if (string.IsNullOrEmpty(level) || string.Equals(m["type"]?.GetValue<string>(), level, StringComparison.OrdinalIgnoreCase)) { messages.Add(m.DeepClone()); }
                    }
                }
                return Debug(tab, "messages", messages);
            }
            case ("GET", "/errors"):
            {
                (_, TabEntry tab) = await TabAsync(Profile(), query.GetValueOrDefault("targetId")).ConfigureAwait(false);
                return Debug(tab, "errors", Drain(tab.Errors, IsTrue(query.GetValueOrDefault("clear"))));
            }
            case ("GET", "/requests"):
            {
                (_, TabEntry tab) = await TabAsync(Profile(), query.GetValueOrDefault("targetId")).ConfigureAwait(false);
                string? filter = query.GetValueOrDefault("filter");
                JsonArray all = Drain(tab.Requests, IsTrue(query.GetValueOrDefault("clear")));
                var requests = new JsonArray();
                foreach (JsonNode? r in all)
                {
                    if (string.IsNullOrEmpty(filter) || (r?["url"]?.GetValue<string>() ?? "").Contains(filter, StringComparison.OrdinalIgnoreCase)) { requests.Add(r?.DeepClone()); }
                }
                return Debug(tab, "requests", requests);
            }
            case ("GET", "/text"):
            {
                (_, TabEntry tab) = await TabAsync(Profile(), query.GetValueOrDefault("targetId")).ConfigureAwait(false);
                string selector = query.GetValueOrDefault("selector") is { Length: > 0 } s ? s : "body";
                string text = await tab.Page.Locator(selector).First.InnerTextAsync().ConfigureAwait(false);
                int max = int.TryParse(query.GetValueOrDefault("maxChars"), out int m) && m > 0 ? m : 50_000;
                bool truncated = text.Length > max;
                JsonObject o = Debug(tab, "text", truncated ? text[..max] : text);
                o["truncated"] = truncated;
                return o;
            }
            default:
                return await ExtraRouteAsync(method, path, query, body, Profile).ConfigureAwait(false)
                    ?? throw new RouteException(404, $"Not Found: {method} {path} is not a browser route this node serves");
        }
    }

    // ---- status and profiles ------------------------------------------------------------------------------------

    private async Task<JsonObject> StatusAsync(ProfileRuntime p)
    {
        bool running = p.Context is not null;
        return new JsonObject
        {
            ["enabled"] = true,
            ["profile"] = p.Name,
            ["driver"] = "openclaw",
            ["transport"] = "cdp",
            ["running"] = running,
            ["cdpReady"] = running,
            ["cdpHttp"] = running,
            ["pageReady"] = running && p.Tabs.Count > 0,
            ["pid"] = null,
            ["cdpPort"] = null,
            ["cdpUrl"] = null,
            ["chosenBrowser"] = running ? BrowserKind(_options.ExecutablePath) : null,
            ["detectedBrowser"] = BrowserKind(_options.ExecutablePath),
            ["detectedExecutablePath"] = _options.ExecutablePath,
            ["detectError"] = null,
            // As OpenClaw: the running browser's profile folder, null while stopped.
            ["userDataDir"] = running ? UserDataDir(p.Name) : null,
            ["color"] = p.Color,
            ["headless"] = _options.Headless,
            ["headlessSource"] = "config",
            ["noSandbox"] = _options.NoSandbox,
            ["executablePath"] = _options.ExecutablePath,
            ["attachOnly"] = false,
            // OpenClaw's GPU diagnostics, null until its doctor inspected them; this node has none.
            ["graphics"] = null,
        };
    }

    private async Task<JsonObject> ProfilesAsync()
    {
        var list = new JsonArray();
        foreach (ProfileRuntime p in _profiles.Values)
        {
            list.Add(new JsonObject
            {
                ["name"] = p.Name,
                ["transport"] = "cdp",
                ["cdpPort"] = null,
                ["cdpUrl"] = null,
                ["color"] = p.Color,
                ["driver"] = "openclaw",
                ["running"] = p.Context is not null,
                ["tabCount"] = p.Tabs.Count,
                ["isDefault"] = p.Name == DefaultProfile,
                ["isRemote"] = false,
            });
        }
        await Task.CompletedTask.ConfigureAwait(false);
        return new JsonObject { ["profiles"] = list };
    }

    private ProfileRuntime ResolveProfile(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) { return _profiles[DefaultProfile]; }
        return _profiles.GetValueOrDefault(name.Trim())
            ?? throw new RouteException(404, $"browser profile \"{name.Trim()}\" not found (known: {string.Join(", ", _profiles.Keys)})", "profile_not_found");
    }

    // ---- lifecycle and tabs -------------------------------------------------------------------------------------

    private string UserDataDir(string profile) => Path.Combine(_options.StateDirectory, "browser", "profiles", profile, "user-data");

    private async Task EnsureRunningAsync(ProfileRuntime p)
    {
        if (p.Context is not null) { return; }
        // Requests run concurrently (a response-body wait alongside the click that triggers it): one launch at a time.
        await _launch.WaitAsync().ConfigureAwait(false);
        try { await LaunchAsync(p).ConfigureAwait(false); }
        finally { _launch.Release(); }
    }

    private async Task LaunchAsync(ProfileRuntime p)
    {
        if (p.Context is not null) { return; }
        _playwright ??= await CreatePlaywrightAsync().ConfigureAwait(false);
        string dir = UserDataDir(p.Name);
        Directory.CreateDirectory(dir);
        var args = new List<string>
        {
            // A closed network: no sign-in, sync, component or field-trial traffic, no first-run UI.
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-domain-reliability", "--disable-breakpad",
            "--disable-dev-shm-usage", "--metrics-recording-only", "--password-store=basic", "--use-mock-keychain",
        };
        if (_options.NoSandbox) { args.Add("--no-sandbox"); }
        IBrowserContext ctx = await _playwright.Chromium.LaunchPersistentContextAsync(dir, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = _options.ExecutablePath,
            Headless = _options.Headless,
            Args = args,
            ChromiumSandbox = !_options.NoSandbox,
            Timeout = 30000,
        }).ConfigureAwait(false);
        p.Context = ctx;
        ctx.Close += (_, _) => p.Forget();
        foreach (IPage page in ctx.Pages) { await p.AddAsync(page).ConfigureAwait(false); }
        ctx.Page += (_, page) => _ = p.AddAsync(page);
    }

    private async Task<ProfileRuntime> RunningAsync(ProfileRuntime p)
    {
        if (p.Context is null) { throw new RouteException(409, $"browser profile \"{p.Name}\" is not running; start it with POST /start or open a tab", "browser_not_running"); }
        await Task.CompletedTask.ConfigureAwait(false);
        return p;
    }

    private async Task<(ProfileRuntime, TabEntry)> TabAsync(ProfileRuntime p, string? targetId)
    {
        await RunningAsync(p).ConfigureAwait(false);
        return (p, string.IsNullOrWhiteSpace(targetId) ? p.CurrentTab() : p.ResolveTab(targetId!));
    }

    private async Task<TabEntry> OpenTabAsync(ProfileRuntime p, string url, string? label)
    {
        bool fresh = p.Context is null;
        await EnsureRunningAsync(p).ConfigureAwait(false);
        TabEntry tab;
        // A launched browser starts with one blank tab: use it rather than leaving it behind. So does opening a page in a
        // browser started by POST /start whose only tab is still blank (OpenClaw then lists one tab, too); a new blank
        // tab asked for in a running browser is a new tab.
        List<TabEntry> existing = p.TabList();
        if (existing.Count == 1 && existing[0].Page.Url == "about:blank" && (fresh || url != "about:blank")) { tab = existing[0]; }
        else { tab = await p.AddAsync(await p.Context!.NewPageAsync().ConfigureAwait(false)).ConfigureAwait(false); }
        if (!string.IsNullOrWhiteSpace(label)) { p.SetLabel(tab, label!.Trim()); }
        if (url != "about:blank") { await tab.Page.GotoAsync(url, new PageGotoOptions { Timeout = 30000 }).ConfigureAwait(false); }
        p.Current = tab.TargetId;
        return tab;
    }

    private async Task<JsonObject> TabActionAsync(ProfileRuntime p, JsonObject body)
    {
        string action = Str(body, "action") ?? "";
        int? index = Int(body, "index");
        TabEntry ByIndex()
        {
            List<TabEntry> list = p.TabList();
            if (index is null || index < 0 || index >= list.Count) { throw new RouteException(404, $"no tab at index {index}", "tab_not_found"); }
            return list[index.Value];
        }
        switch (action)
        {
            case "list":
            {
                var tabs = new JsonArray();
                foreach (TabEntry t in p.TabList()) { tabs.Add(await TabJsonAsync(t).ConfigureAwait(false)); }
                return new JsonObject { ["ok"] = true, ["tabs"] = tabs };
            }
            case "new":
                return new JsonObject { ["ok"] = true, ["tab"] = await TabJsonAsync(await OpenTabAsync(p, "about:blank", Str(body, "label")).ConfigureAwait(false)).ConfigureAwait(false) };
            case "label":
            {
                // As OpenClaw: {targetId, label} names a tab so later requests can address it by that label.
                string targetId = Str(body, "targetId") ?? throw new RouteException(400, "targetId is required");
                string label = Str(body, "label") ?? throw new RouteException(400, "label is required");
                await RunningAsync(p).ConfigureAwait(false);
                if (!TabLabel().IsMatch(label.Trim())) { throw new RouteException(400, "tab label must be 1-64 chars and use only letters, numbers, _, ., :, or -"); }
                TabEntry t = p.ResolveTab(targetId);
                p.SetLabel(t, label.Trim());
                return new JsonObject { ["ok"] = true, ["tab"] = await TabJsonAsync(t).ConfigureAwait(false) };
            }
            case "close":
            {
                await RunningAsync(p).ConfigureAwait(false);
                TabEntry t = index is null ? p.CurrentTab() : ByIndex();
                await t.Page.CloseAsync().ConfigureAwait(false);
                p.Remove(t.TargetId);
                return new JsonObject { ["ok"] = true, ["targetId"] = t.TargetId };
            }
            case "select":
            {
                await RunningAsync(p).ConfigureAwait(false);
                TabEntry t = ByIndex();
                await t.Page.BringToFrontAsync().ConfigureAwait(false);
                p.Current = t.TargetId;
                return new JsonObject { ["ok"] = true, ["targetId"] = t.TargetId };
            }
            default: throw new RouteException(400, "unknown tab action");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex TabLabel();

    private static async Task<JsonObject> TabJsonAsync(TabEntry t)
    {
        string title = "";
        try { title = await t.Page.TitleAsync().ConfigureAwait(false); } catch (PlaywrightException) { }
        var o = new JsonObject
        {
            ["targetId"] = t.TargetId,
            ["title"] = title,
            ["url"] = t.Page.Url,
            ["type"] = "page",
            ["suggestedTargetId"] = t.Label ?? t.TabId,
            ["tabId"] = t.TabId,
        };
        if (t.Label is not null) { o["label"] = t.Label; }
        return o;
    }

    // ---- snapshot, screenshot -----------------------------------------------------------------------------------

    [GeneratedRegex("^(?<indent>\\s*)- (?<role>[a-zA-Z]+)(?: \"(?<name>(?:[^\"\\\\]|\\\\.)*)\")?(?<rest>.*?)\\[ref=(?<ref>(?:f\\d+)?e\\d+)\\]")]
    private static partial Regex RefLine();

    private static readonly HashSet<string> InteractiveRoles = new(StringComparer.Ordinal)
    {
        "button", "link", "textbox", "checkbox", "radio", "combobox", "listbox", "menuitem", "menuitemcheckbox",
        "menuitemradio", "option", "searchbox", "slider", "spinbutton", "switch", "tab", "treeitem",
    };

    private async Task<JsonObject> ScreenshotAsync(ProfileRuntime p, JsonObject body)
    {
        (_, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        bool jpeg = Str(body, "type") == "jpeg";
        string file = MediaPath(jpeg ? "jpg" : "png");
        ScreenshotType type = jpeg ? ScreenshotType.Jpeg : ScreenshotType.Png;
        float timeout = Int(body, "timeoutMs") ?? 20000;
        string? target = Str(body, "ref") ?? Str(body, "element");
        if (Bool(body, "labels") == true)
        {
            return await LabelledPageScreenshotAsync(tab, jpeg, target is not null || Bool(body, "fullPage") == true, timeout).ConfigureAwait(false);
        }
        if (target is not null)
        {
            await Locate(tab.Page, Str(body, "ref"), Str(body, "element")).ScreenshotAsync(new LocatorScreenshotOptions { Path = file, Type = type, Timeout = timeout }).ConfigureAwait(false);
        }
        else
        {
            await tab.Page.ScreenshotAsync(new PageScreenshotOptions { Path = file, Type = type, FullPage = Bool(body, "fullPage") ?? false, Timeout = timeout }).ConfigureAwait(false);
        }
        return new JsonObject { ["ok"] = true, ["path"] = file, ["targetId"] = tab.TargetId, ["url"] = tab.Page.Url };
    }

    /// <summary>
    /// <c>POST /screenshot</c> with <c>labels:true</c>, as OpenClaw answers it: a role snapshot of the page (its refs become
    /// the page's refs, as after <c>GET /snapshot?refs=role</c>), then the viewport with each ref outlined and tagged
    /// (<see cref="LabelledScreenshotAsync"/>): <c>{ok, path, targetId, url, labels:true, labelsCount, labelsSkipped,
    /// annotations?}</c>. Labels on a full-page or element screenshot (<paramref name="notViewport"/>) are refused with 400.
    /// </summary>
    private async Task<JsonObject> LabelledPageScreenshotAsync(TabEntry tab, bool jpeg, bool notViewport, float timeout)
    {
        if (notViewport)
        {
            throw new RouteException(400, "labels on a fullPage, ref or element screenshot are not supported by this node; take a labelled viewport screenshot (labels without fullPage, ref and element) or GET /snapshot?labels=true");
        }
        (_, JsonObject refs) = await RoleSnapshotAsync(tab.Page, null, null, false, false, null, false, timeout).ConfigureAwait(false);
        JsonObject shot = await LabelledScreenshotAsync(tab.Page, refs, timeout, jpeg).ConfigureAwait(false);
        var o = new JsonObject { ["ok"] = true, ["path"] = shot["imagePath"]!.DeepClone(), ["targetId"] = tab.TargetId, ["url"] = tab.Page.Url };
        foreach (KeyValuePair<string, JsonNode?> kv in shot.ToList())
        {
            if (kv.Key is "imagePath" or "imageType") { continue; }
            shot.Remove(kv.Key);
            o[kv.Key] = kv.Value;
        }
        return o;
    }

    private string MediaPath(string ext)
    {
        string dir = Path.Combine(_options.StateDirectory, "browser", "media");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"browser-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.{ext}");
    }

    // ---- actions ------------------------------------------------------------------------------------------------

    [GeneratedRegex("^(?:f\\d+)?e\\d+$")]
    private static partial Regex AriaRef();

    private static ILocator Locate(IPage page, string? reference, string? selector)
    {
        if (!string.IsNullOrWhiteSpace(reference))
        {
            string r = reference!.Trim();
            if (!AriaRef().IsMatch(r)) { throw new RouteException(400, $"ref \"{r}\" is not a snapshot ref (e.g. e12); take a snapshot first", "invalid_ref"); }
            // A ref of the page's last role-ref snapshot (refs=role, interactive, compact, selector, frame, ...) is found
            // by role, name and position; others are Playwright's AI-snapshot refs.
            if (RoleRefLocator(page, r) is { } byRole) { return byRole; }
            return page.Locator("aria-ref=" + r);
        }
        if (!string.IsNullOrWhiteSpace(selector)) { return page.Locator(selector!).First; }
        throw new RouteException(400, "ref or selector is required", "invalid_request");
    }

    private async Task<JsonObject> ActAsync(ProfileRuntime p, JsonObject body)
    {
        string kind = Str(body, "kind") ?? throw new RouteException(400, "kind is required", "kind_required");
        (ProfileRuntime _, TabEntry tab) = await TabAsync(p, Str(body, "targetId")).ConfigureAwait(false);
        // A dialog the page opens during the action (and no armed answer takes) ends the action as OpenClaw does:
        // {blockedByDialog, browserState}, to be answered with POST /hooks/dialog. Downloads it starts are saved and listed.
        TaskCompletionSource<bool> dialog = tab.WatchDialogs();
        tab.BeginActionDownloads();
        Task<JsonNode?> run = RunActionAsync(p, tab, kind, body);
        Task first = await Task.WhenAny(run, dialog.Task).ConfigureAwait(false);
        tab.Unwatch(dialog);
        var o = new JsonObject { ["ok"] = true, ["targetId"] = tab.TargetId };
        if (first != run)
        {
            _ = run.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            await tab.EndActionDownloadsAsync(0).ConfigureAwait(false);
            o["url"] = tab.Page.Url;
            o["blockedByDialog"] = true;
            o["browserState"] = tab.BrowserState();
            return o;
        }
        JsonNode? result;
        try { result = await run.ConfigureAwait(false); }
        catch
        {
            await tab.EndActionDownloadsAsync(0).ConfigureAwait(false);
            throw;
        }
        JsonArray? downloads = await tab.EndActionDownloadsAsync(kind is "click" or "clickCoords" or "press" or "batch" ? 250 : 0).ConfigureAwait(false);
        if (kind != "close") { o["url"] = tab.Page.Url; }
        if (kind == "evaluate") { o["result"] = result; }
        if (kind == "batch" && result is JsonObject batch)
        {
            o["results"] = batch["results"]?.DeepClone();
            if (batch["aborted"] is JsonNode aborted) { o["aborted"] = aborted.DeepClone(); }
        }
        if (downloads is not null) { o["downloads"] = downloads; }
        return o;
    }

    private async Task<JsonNode?> RunActionAsync(ProfileRuntime p, TabEntry tab, string kind, JsonObject body)
    {
        IPage page = tab.Page;
        float? timeout = Int(body, "timeoutMs");
        switch (kind)
        {
            case "click":
            {
                ILocator loc = Locate(page, Str(body, "ref"), Str(body, "selector"));
                MouseButton button = Str(body, "button") switch
                {
                    null or "left" => MouseButton.Left,
                    "right" => MouseButton.Right,
                    "middle" => MouseButton.Middle,
                    _ => throw new RouteException(400, "click button must be left|right|middle", "invalid_request"),
                };
                var mods = new List<KeyboardModifier>();
                if (body["modifiers"] is JsonArray ma)
                {
                    foreach (JsonNode? m in ma)
                    {
                        mods.Add(m?.GetValue<string>() switch
                        {
                            "Alt" => KeyboardModifier.Alt,
                            "Control" => KeyboardModifier.Control,
                            "ControlOrMeta" => KeyboardModifier.ControlOrMeta,
                            "Meta" => KeyboardModifier.Meta,
                            "Shift" => KeyboardModifier.Shift,
                            _ => throw new RouteException(400, "modifiers must be Alt|Control|ControlOrMeta|Meta|Shift", "invalid_request"),
                        });
                    }
                }
                if (Bool(body, "doubleClick") == true) { await loc.DblClickAsync(new LocatorDblClickOptions { Button = button, Modifiers = mods, Timeout = timeout, Delay = Int(body, "delayMs") }).ConfigureAwait(false); }
                else { await loc.ClickAsync(new LocatorClickOptions { Button = button, Modifiers = mods, Timeout = timeout, Delay = Int(body, "delayMs") }).ConfigureAwait(false); }
                return null;
            }
            case "type":
            {
                ILocator loc = Locate(page, Str(body, "ref"), Str(body, "selector"));
                string text = Str(body, "text") ?? throw new RouteException(400, "type requires text", "invalid_request");
                if (Bool(body, "slowly") == true) { await loc.PressSequentiallyAsync(text, new LocatorPressSequentiallyOptions { Delay = 75, Timeout = timeout }).ConfigureAwait(false); }
                else { await loc.FillAsync(text, new LocatorFillOptions { Timeout = timeout }).ConfigureAwait(false); }
                if (Bool(body, "submit") == true) { await loc.PressAsync("Enter").ConfigureAwait(false); }
                return null;
            }
            case "press":
                await page.Keyboard.PressAsync(Str(body, "key") ?? throw new RouteException(400, "press requires key", "invalid_request"), new KeyboardPressOptions { Delay = Int(body, "delayMs") }).ConfigureAwait(false);
                return null;
            case "hover":
                await Locate(page, Str(body, "ref"), Str(body, "selector")).HoverAsync(new LocatorHoverOptions { Timeout = timeout }).ConfigureAwait(false);
                return null;
            case "scrollIntoView":
                await Locate(page, Str(body, "ref"), Str(body, "selector")).ScrollIntoViewIfNeededAsync(new LocatorScrollIntoViewIfNeededOptions { Timeout = timeout }).ConfigureAwait(false);
                return null;
            case "select":
            {
                var values = (body["values"] as JsonArray)?.Select(v => v?.GetValue<string>() ?? "").ToArray() ?? throw new RouteException(400, "select requires values", "invalid_request");
                await Locate(page, Str(body, "ref"), Str(body, "selector")).SelectOptionAsync(values, new LocatorSelectOptionOptions { Timeout = timeout }).ConfigureAwait(false);
                return null;
            }
            case "fill":
            {
                if (body["fields"] is not JsonArray fields) { throw new RouteException(400, "fill requires fields", "invalid_request"); }
                foreach (JsonNode? fnode in fields)
                {
                    if (fnode is not JsonObject field) { continue; }
                    ILocator loc = Locate(page, Str(field, "ref"), Str(field, "selector"));
                    string ftype = Str(field, "type") ?? "text";
                    JsonNode? value = field["value"];
                    if (ftype is "checkbox" or "radio") { await loc.SetCheckedAsync(value is JsonValue bv && bv.TryGetValue(out bool b) ? b : IsTrue(value?.ToString())).ConfigureAwait(false); }
                    else { await loc.FillAsync(value is JsonValue sv && sv.TryGetValue(out string? s) ? s : value?.ToJsonString() ?? "", new LocatorFillOptions { Timeout = timeout }).ConfigureAwait(false); }
                }
                return null;
            }
            case "drag":
            {
                ILocator from = Locate(page, Str(body, "startRef"), Str(body, "startSelector"));
                ILocator to = Locate(page, Str(body, "endRef"), Str(body, "endSelector"));
                await from.DragToAsync(to, new LocatorDragToOptions { Timeout = timeout }).ConfigureAwait(false);
                return null;
            }
            case "wait":
            {
                float t = timeout ?? 20000;
                if (Int(body, "timeMs") is int ms) { await page.WaitForTimeoutAsync(ms).ConfigureAwait(false); }
                if (Str(body, "text") is { } text) { await page.GetByText(text).First.WaitForAsync(new LocatorWaitForOptions { Timeout = t }).ConfigureAwait(false); }
                if (Str(body, "textGone") is { } gone) { await page.GetByText(gone).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden, Timeout = t }).ConfigureAwait(false); }
                if (Str(body, "selector") is { } sel) { await page.Locator(sel).First.WaitForAsync(new LocatorWaitForOptions { Timeout = t }).ConfigureAwait(false); }
                if (Str(body, "url") is { } url) { await page.WaitForURLAsync(url, new PageWaitForURLOptions { Timeout = t }).ConfigureAwait(false); }
                if (Str(body, "loadState") is { } ls)
                {
                    LoadState state = ls switch { "load" => LoadState.Load, "domcontentloaded" => LoadState.DOMContentLoaded, "networkidle" => LoadState.NetworkIdle, _ => throw new RouteException(400, "loadState must be load|domcontentloaded|networkidle", "invalid_request") };
                    await page.WaitForLoadStateAsync(state, new PageWaitForLoadStateOptions { Timeout = t }).ConfigureAwait(false);
                }
                if (Str(body, "fn") is { } fn) { await page.WaitForFunctionAsync(fn, null, new PageWaitForFunctionOptions { Timeout = t }).ConfigureAwait(false); }
                return null;
            }
            case "evaluate":
            {
                string fn = Str(body, "fn") ?? throw new RouteException(400, "evaluate requires fn", "invalid_request");
                JsonElement? value = Str(body, "ref") is { } r
                    ? await Locate(page, r, null).EvaluateAsync(fn).ConfigureAwait(false)
                    : await page.EvaluateAsync(fn).ConfigureAwait(false);
                return value is { } v ? StripReferenceIds(JsonNode.Parse(v.GetRawText())) : null;
            }
            case "resize":
                await page.SetViewportSizeAsync(Int(body, "width") ?? throw new RouteException(400, "resize requires width and height", "invalid_request"),
                    Int(body, "height") ?? throw new RouteException(400, "resize requires width and height", "invalid_request")).ConfigureAwait(false);
                return null;
            case "close":
                await page.CloseAsync().ConfigureAwait(false);
                p.Remove(tab.TargetId);
                return null;
            case "batch":
            {
                if (body["actions"] is not JsonArray actions) { throw new RouteException(400, "batch requires actions", "invalid_request"); }
                if (actions.Count > 100) { throw new RouteException(400, "Batch exceeds maximum of 100 actions", "invalid_request"); }
                bool stopOnError = Bool(body, "stopOnError") ?? true;
                var results = new JsonArray();
                // As OpenClaw: a main-frame navigation (or the tab closing) ends the batch; the rest is reported skipped,
                // {results, aborted:{reason: navigation|closed, afterAction, url, skipped}}, the last result marked navigated.
                int navigations = 0;
                void OnNavigated(object? sender, IFrame frame) { if (frame == page.MainFrame) { Interlocked.Increment(ref navigations); } }
                JsonObject Aborted(string reason, int afterAction, int skipped)
                {
                    var o = new JsonObject { ["results"] = results };
                    if (skipped > 0) { o["aborted"] = new JsonObject { ["reason"] = reason, ["afterAction"] = afterAction, ["url"] = page.Url, ["skipped"] = skipped }; }
                    return o;
                }
                JsonObject Navigated(int afterAction, int skipped)
                {
                    if (results.Count > 0 && results[^1] is JsonObject last) { last["navigated"] = true; last["url"] = page.Url; }
                    return Aborted("navigation", afterAction, skipped);
                }
                page.FrameNavigated += OnNavigated;
                try
                {
                    int seen = 0;
                    for (int index = 0; index < actions.Count; index++)
                    {
                        if (actions[index] is not JsonObject ao) { throw new RouteException(400, "batch actions must be objects", "invalid_request"); }
                        string k = Str(ao, "kind") ?? throw new RouteException(400, "every batch action needs a kind", "kind_required");
                        if (k == "batch") { throw new RouteException(400, "batch actions cannot nest", "invalid_request"); }
                        if (Volatile.Read(ref navigations) > seen) { return Navigated(index, actions.Count - index); }
                        if (page.IsClosed) { return Aborted("closed", index, actions.Count - index); }
                        seen = Volatile.Read(ref navigations);
                        JsonObject r;
                        try
                        {
                            await RunActionAsync(p, tab, k, ao).ConfigureAwait(false);
                            r = new JsonObject { ["ok"] = true };
                        }
                        catch (Exception ex) when (ex is RouteException or PlaywrightException or TimeoutException)
                        {
                            r = new JsonObject { ["ok"] = false, ["error"] = FirstLine(ex.Message) };
                        }
                        results.Add(r);
                        if (page.IsClosed) { return Aborted("closed", index + 1, actions.Count - index - 1); }
                        if (Volatile.Read(ref navigations) > seen) { return Navigated(index + 1, actions.Count - index - 1); }
                        if (r["ok"]!.GetValue<bool>() == false && stopOnError) { break; }
                    }
                    return new JsonObject { ["results"] = results };
                }
                finally
                {
                    page.FrameNavigated -= OnNavigated;
                }
            }
            case "clickCoords":
            {
                float x = (float)(Number(body, "x") ?? throw new RouteException(400, "clickCoords requires x and y", "invalid_request"));
                float y = (float)(Number(body, "y") ?? throw new RouteException(400, "clickCoords requires x and y", "invalid_request"));
                MouseButton button = Str(body, "button") switch
                {
                    null or "left" => MouseButton.Left,
                    "right" => MouseButton.Right,
                    "middle" => MouseButton.Middle,
                    _ => throw new RouteException(400, "click button must be left|right|middle", "invalid_request"),
                };
                if (Bool(body, "doubleClick") == true) { await page.Mouse.DblClickAsync(x, y, new MouseDblClickOptions { Button = button, Delay = Int(body, "delayMs") }).ConfigureAwait(false); }
                else { await page.Mouse.ClickAsync(x, y, new MouseClickOptions { Button = button, Delay = Int(body, "delayMs") }).ConfigureAwait(false); }
                return null;
            }
            case "insertText":
                await page.Keyboard.InsertTextAsync(body["text"] is JsonValue tv && tv.TryGetValue(out string? it) ? it : throw new RouteException(400, "insertText requires text", "invalid_request")).ConfigureAwait(false);
                return null;
            default:
                throw new RouteException(400, $"unsupported act kind \"{kind}\"", "invalid_request");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Removes the <c>"$id"</c> reference markers Playwright for .NET adds to objects it hands back as JSON, so an
    /// evaluated object reads as the page returned it.
    /// </summary>
    internal static JsonNode? StripReferenceIds(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$id"] is JsonValue id && id.TryGetValue(out string? s) && int.TryParse(s, out _)) { o.Remove("$id"); }
                foreach (KeyValuePair<string, JsonNode?> kv in o.ToList()) { StripReferenceIds(kv.Value); }
                break;
            case JsonArray a:
                foreach (JsonNode? item in a) { StripReferenceIds(item); }
                break;
        }
        return node;
    }

    private static JsonObject Debug(TabEntry tab, string key, JsonNode value) =>
        new() { ["ok"] = true, ["targetId"] = tab.TargetId, ["url"] = tab.Page.Url, [key] = value };

    private static JsonArray Drain(List<JsonObject> list, bool clear)
    {
        var a = new JsonArray();
        lock (list)
        {
            foreach (JsonObject o in list) { a.Add(o.DeepClone()); }
            if (clear) { list.Clear(); }
        }
        return a;
    }

    private static string? BrowserKind(string exe)
    {
        string n = Path.GetFileNameWithoutExtension(exe).ToLowerInvariant();
        return n.Contains("edge", StringComparison.Ordinal) ? "edge" : n.Contains("chromium", StringComparison.Ordinal) ? "chromium" : n.Contains("brave", StringComparison.Ordinal) ? "brave" : "chrome";
    }

    private static string FirstLine(string s)
    {
        int i = s.IndexOf('\n', StringComparison.Ordinal);
        return (i < 0 ? s : s[..i]).Trim();
    }

    internal static bool IsTrue(string? s) => s is "1" or "true" or "True" or "yes";

    internal static string? Str(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    internal static int? Int(JsonObject o, string key)
    {
        if (o[key] is not JsonValue v) { return null; }
        if (v.TryGetValue(out int i)) { return i; }
        if (v.TryGetValue(out double d)) { return (int)d; }
        return v.TryGetValue(out string? s) && int.TryParse(s, out int p) ? p : null;
    }

    internal static bool? Bool(JsonObject o, string key)
    {
        if (o[key] is not JsonValue v) { return null; }
        if (v.TryGetValue(out bool b)) { return b; }
        return v.TryGetValue(out string? s) ? IsTrue(s) : null;
    }

    /// <summary>Stops every browser and the Playwright driver.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (ProfileRuntime p in _profiles.Values)
        {
            try { await p.StopAsync().ConfigureAwait(false); } catch (PlaywrightException) { }
        }
        _playwright?.Dispose();
    }
}
