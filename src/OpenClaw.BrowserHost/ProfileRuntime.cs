using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.Playwright;

namespace OpenClaw.BrowserHost;

/// <summary>One browser profile: its running persistent context (or none) and its tabs, in opening order.</summary>
internal sealed class ProfileRuntime
{
    private const int MaxLogEntries = 500;
    private int _nextTab = 1;

    /// <summary>Creates an idle profile.</summary>
    public ProfileRuntime(string name, string color)
    {
        Name = name;
        Color = color;
    }

    /// <summary>Profile name.</summary>
    public string Name { get; }

    /// <summary>Display colour (as OpenClaw reports it).</summary>
    public string Color { get; }

    /// <summary>The running browser, or null when stopped.</summary>
    public IBrowserContext? Context { get; set; }

    /// <summary>Open tabs by CDP target id, in opening order.</summary>
    public Dictionary<string, TabEntry> Tabs { get; } = new(StringComparer.Ordinal);

    /// <summary>Where downloads nobody asked for are saved (<c>&lt;state&gt;/browser/downloads</c>).</summary>
    public string DownloadsDirectory { get; set; } = System.IO.Path.GetTempPath();

    /// <summary>Whether a Playwright trace is recording in this profile's context.</summary>
    public bool TraceActive { get; set; }

    /// <summary>Target id of the tab the last focus/open/navigate chose (the default target).</summary>
    public string? Current { get; set; }

    /// <summary>Registers a page (opened by us or by the page itself) and starts collecting its console, errors and requests.</summary>
    public async Task<TabEntry> AddAsync(IPage page)
    {
        foreach (TabEntry existing in TabList()) { if (ReferenceEquals(existing.Page, page)) { return existing; } }
        string targetId;
        ICDPSession cdp = await page.Context.NewCDPSessionAsync(page).ConfigureAwait(false);
        try
        {
            System.Text.Json.JsonElement? info = await cdp.SendAsync("Target.getTargetInfo").ConfigureAwait(false);
            targetId = info?.GetProperty("targetInfo").GetProperty("targetId").GetString() ?? Guid.NewGuid().ToString("N").ToUpperInvariant();
        }
        finally
        {
            await cdp.DetachAsync().ConfigureAwait(false);
        }
        lock (Tabs)
        {
            if (Tabs.TryGetValue(targetId, out TabEntry? again)) { return again; }
            var tab = new TabEntry(page, targetId, "t" + _nextTab++);
            Tabs[targetId] = tab;
            page.Console += (_, m) => Append(tab.Console, new JsonObject
            {
                ["type"] = m.Type,
                ["text"] = m.Text,
                ["timestamp"] = IsoNow(),
                ["location"] = ConsoleLocation(m.Location),
            });
            page.DOMContentLoaded += (_, _) => tab.DocumentLoaded();
            page.PageError += (_, e) => Append(tab.Errors, new JsonObject { ["message"] = e, ["timestamp"] = IsoNow() });
            page.Request += (_, r) => Append(tab.Requests, new JsonObject
            {
                ["id"] = "r" + Interlocked(tab),
                ["timestamp"] = IsoNow(),
                ["method"] = r.Method,
                ["url"] = r.Url,
                ["resourceType"] = r.ResourceType,
            });
            page.Response += (_, resp) => Update(tab.Requests, resp.Request.Url, o => { o["status"] = resp.Status; o["ok"] = resp.Ok; });
            page.RequestFailed += (_, r) => Update(tab.Requests, r.Url, o => { o["ok"] = false; o["failureText"] = r.Failure; });
            page.Dialog += (_, d) => tab.OnDialog(d);
            page.Download += (_, d) => tab.OnDownload(d, DownloadsDirectory);
            page.Close += (_, _) => { tab.OnClosed(); Remove(targetId); };
            Current ??= targetId;
            return tab;
        }
    }

    private static int Interlocked(TabEntry tab) => System.Threading.Interlocked.Increment(ref tab.RequestCounter);

    private static void Append(List<JsonObject> list, JsonObject entry)
    {
        lock (list)
        {
            list.Add(entry);
            if (list.Count > MaxLogEntries) { list.RemoveAt(0); }
        }
    }

    private static void Update(List<JsonObject> list, string url, Action<JsonObject> change)
    {
        lock (list)
        {
            for (int i = list.Count - 1; i >= 0; i--)
            {
                if (list[i]["url"]?.GetValue<string>() == url && list[i]["status"] is null && list[i]["failureText"] is null)
                {
                    change(list[i]);
                    return;
                }
            }
        }
    }

    /// <summary>Forgets a closed tab.</summary>
    public void Remove(string targetId)
    {
        lock (Tabs)
        {
            Tabs.Remove(targetId);
            if (Current == targetId) { Current = Tabs.Keys.LastOrDefault(); }
        }
    }

    /// <summary>The open tabs in opening order, copied under the lock (requests run concurrently).</summary>
    public List<TabEntry> TabList()
    {
        lock (Tabs) { return Tabs.Values.ToList(); }
    }

    /// <summary>Sets a unique label (moved from any other tab that had it).</summary>
    public void SetLabel(TabEntry tab, string label)
    {
        foreach (TabEntry t in TabList()) { if (t.Label == label) { t.Label = null; } }
        tab.Label = label;
    }

    /// <summary>Now as JavaScript's <c>Date.toISOString()</c> writes it (UTC, milliseconds, <c>Z</c>), as OpenClaw's timestamps are.</summary>
    internal static string IsoNow() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Playwright for .NET gives a console message's location as <c>url:line:column</c>; OpenClaw reports the JS object
    /// <c>{url, line, column, lineNumber, columnNumber}</c> (0-based line and column, both spellings).
    /// </summary>
    internal static JsonObject ConsoleLocation(string? location)
    {
        string url = location ?? "";
        int line = 0, column = 0;
        int c2 = url.LastIndexOf(':');
        int c1 = c2 > 0 ? url.LastIndexOf(':', c2 - 1) : -1;
        if (c1 > 0 && int.TryParse(url[(c1 + 1)..c2], out int l) && int.TryParse(url[(c2 + 1)..], out int c))
        {
            line = l;
            column = c;
            url = url[..c1];
        }
        return new JsonObject { ["url"] = url, ["line"] = line, ["column"] = column, ["lineNumber"] = line, ["columnNumber"] = column };
    }

    /// <summary>The default target: the current tab, else the last opened one.</summary>
    public TabEntry CurrentTab()
    {
        lock (Tabs)
        {
            if (Current is not null && Tabs.TryGetValue(Current, out TabEntry? t)) { return t; }
        }
        return TabList().LastOrDefault() ?? throw new RouteException(404, "no tab is open; open one with POST /tabs/open", "tab_not_found");
    }

    /// <summary>Finds a tab by target id, tab id (t1), label, or an unambiguous target-id prefix.</summary>
    public TabEntry ResolveTab(string id)
    {
        string needle = id.Trim();
        List<TabEntry> all = TabList();
        List<TabEntry> exact = all.Where(t => t.TargetId == needle || t.TabId == needle || t.Label == needle).ToList();
        if (exact.Count == 1) { return exact[0]; }
        List<TabEntry> prefix = all.Where(t => t.TargetId.StartsWith(needle, StringComparison.OrdinalIgnoreCase)).ToList();
        if (prefix.Count == 1 && needle.Length >= 4) { return prefix[0]; }
        if (exact.Count > 1 || prefix.Count > 1) { throw new RouteException(409, $"tab id \"{needle}\" is ambiguous", "target_ambiguous"); }
        throw new RouteException(404, $"tab not found: {needle}", "tab_not_found");
    }

    private HttpCredentials? _credentials;
    private Func<IRoute, Task>? _challengeRoute;

    /// <summary>
    /// Sets (or, with null, clears) the HTTP credentials the browser answers Basic authentication challenges with, the
    /// effect of Playwright's <c>setHTTPCredentials</c>, which the .NET binding lacks for a running context. While set,
    /// every request of the context goes through a route that fetches it and, when the answer is a 401 with a
    /// <c>WWW-Authenticate: Basic</c> challenge, fetches it again with an <c>Authorization</c> header. Credentials are
    /// therefore sent only to servers that ask for them (as the browser would), never up front. Limits: Basic only (no
    /// Digest/NTLM), and routed requests are fetched by Playwright rather than the page's network stack (no HTTP cache,
    /// a response is buffered before the page sees it).
    /// </summary>
    /// <exception cref="RouteException">409 when the browser is not running.</exception>
    public async Task SetCredentialsAsync(HttpCredentials? credentials)
    {
        IBrowserContext ctx = Context ?? throw new RouteException(409, $"browser profile \"{Name}\" is not running", "browser_not_running");
        _credentials = credentials;
        if (credentials is not null && _challengeRoute is null)
        {
            _challengeRoute = AnswerChallengeAsync;
            await ctx.RouteAsync("**/*", _challengeRoute).ConfigureAwait(false);
        }
        else if (credentials is null && _challengeRoute is not null)
        {
            await ctx.UnrouteAsync("**/*", _challengeRoute).ConfigureAwait(false);
            _challengeRoute = null;
        }
    }

    private async Task AnswerChallengeAsync(IRoute route)
    {
        HttpCredentials? credentials = _credentials;
        if (credentials is null)
        {
            await route.FallbackAsync().ConfigureAwait(false);
            return;
        }
        try
        {
            // Redirects are left to the browser (each hop comes back through this route), so the page sees real URLs.
            IAPIResponse response = await route.FetchAsync(new RouteFetchOptions { MaxRedirects = 0 }).ConfigureAwait(false);
            if (response.Status == 401 && response.Headers.TryGetValue("www-authenticate", out string? challenge)
                && challenge.TrimStart().StartsWith("Basic", StringComparison.OrdinalIgnoreCase))
            {
                var headers = new Dictionary<string, string>(route.Request.Headers, StringComparer.OrdinalIgnoreCase)
                {
                    ["authorization"] = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials.Username + ":" + credentials.Password)),
                };
                response = await route.FetchAsync(new RouteFetchOptions { Headers = headers, MaxRedirects = 0 }).ConfigureAwait(false);
            }
            await route.FulfillAsync(new RouteFulfillOptions { Response = response }).ConfigureAwait(false);
        }
        catch (PlaywrightException)
        {
            // The page went away or the request failed: let the browser fail it as it would have.
            try { await route.AbortAsync().ConfigureAwait(false); } catch (PlaywrightException) { }
        }
    }

    /// <summary>Called when the browser closes by itself (crash, last window closed).</summary>
    public void Forget()
    {
        Context = null;
        _credentials = null;
        _challengeRoute = null;
        TraceActive = false;
        lock (Tabs) { Tabs.Clear(); Current = null; }
    }

    /// <summary>Closes the browser; false when it was not running.</summary>
    public async Task<bool> StopAsync()
    {
        IBrowserContext? ctx = Context;
        if (ctx is null) { return false; }
        Forget();
        await ctx.CloseAsync().ConfigureAwait(false);
        return true;
    }
}

/// <summary>One open tab and what it has logged.</summary>
internal sealed partial class TabEntry
{
    /// <summary>Wraps <paramref name="page"/>.</summary>
    public TabEntry(IPage page, string targetId, string tabId)
    {
        Page = page;
        TargetId = targetId;
        TabId = tabId;
    }

    /// <summary>The Playwright page.</summary>
    public IPage Page { get; }

    /// <summary>CDP target id (what OpenClaw calls targetId).</summary>
    public string TargetId { get; }

    /// <summary>Friendly id t1, t2, … in opening order.</summary>
    public string TabId { get; }

    /// <summary>Optional unique label.</summary>
    public string? Label { get; set; }

    /// <summary>Counts the documents the tab loaded (main-frame DOMContentLoaded): the identity snapshot deltas are kept per.</summary>
    public long DocumentNumber => System.Threading.Interlocked.Read(ref _documentNumber);

    private long _documentNumber;

    /// <summary>Called when the main frame loaded a new document.</summary>
    public void DocumentLoaded() => System.Threading.Interlocked.Increment(ref _documentNumber);

    /// <summary>
    /// The ref identities of the last <c>format=ai</c> snapshot per option family (refs mode, interactive, compact, depth,
    /// selector, frame, urls, maxChars), with the document they were taken on: the next snapshot of the same family on
    /// the same document marks what is new (OpenClaw's snapshot deltas).
    /// </summary>
    public Dictionary<string, (long Document, HashSet<string> Keys)> SnapshotKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>Console messages, newest last (at most 500).</summary>
    public List<JsonObject> Console { get; } = new();

    /// <summary>Uncaught page errors.</summary>
    public List<JsonObject> Errors { get; } = new();

    /// <summary>Network requests with status once answered.</summary>
    public List<JsonObject> Requests { get; } = new();

    /// <summary>Counter behind request ids.</summary>
    public int RequestCounter;
}
