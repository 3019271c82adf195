using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.Playwright;

namespace OpenClaw.BrowserHost;

/// <summary>
/// <c>GET /snapshot</c> as OpenClaw's control server answers it: Playwright AI-snapshot refs (<c>e12</c>, <c>f1e3</c>)
/// for a plain snapshot or <c>refs=aria</c>; role refs (<c>e1</c>, <c>e2</c>, … found again by role, name and
/// position) when the snapshot is shaped (<c>interactive</c>, <c>compact</c>, <c>depth</c>, <c>selector</c>,
/// <c>frame</c>, <c>urls</c>, <c>labels</c>, <c>mode=efficient</c>) or <c>refs=role</c> is given with one of those;
/// a labelled overlay screenshot with <c>labels</c>; and deltas: a snapshot of the same options on the same document
/// marks lines whose ref is new with <c>[new]</c> and reports <c>newElements</c>.
/// </summary>
internal sealed partial class Router
{
    private const string TruncationMarker = "[...TRUNCATED - page too large]";
    private const int MaxLabels = 150;

    /// <summary>Roles OpenClaw gives a role ref when they carry a name.</summary>
    private static readonly HashSet<string> ContentRoles = new(StringComparer.Ordinal)
    {
        "article", "cell", "columnheader", "gridcell", "heading", "listitem", "main", "navigation", "region", "rowheader",
    };

    /// <summary>Container roles a compact snapshot leaves out when they have neither a name nor a ref.</summary>
    private static readonly HashSet<string> StructuralRoles = new(StringComparer.Ordinal)
    {
        "application", "directory", "document", "generic", "grid", "group", "ignored", "list", "menu", "menubar", "none",
        "presentation", "row", "rowgroup", "table", "tablist", "toolbar", "tree", "treegrid",
    };

    /// <summary>One role ref: how to find the element again.</summary>
    private sealed record RoleRef(string Role, string? Name, int? Nth);

    /// <summary>The role refs of a page's last snapshot and the iframe selector it was scoped to.</summary>
    private sealed record RoleRefTable(string? Frame, Dictionary<string, RoleRef> Refs);

    private static readonly ConditionalWeakTable<IPage, RoleRefTable> RoleRefs = new();

    [GeneratedRegex("^(?<indent>\\s*)- (?<quote>')?(?<role>[a-z]+)(?: \"(?<name>(?:[^\"\\\\]|\\\\.)*)\")?(?<rest>.*)$")]
    private static partial Regex RoleLine();

    [GeneratedRegex("\\[ref=([^\\]\\[]+)\\]")]
    private static partial Regex LineRef();

    /// <summary>The locator of <paramref name="reference"/> when it is a role ref of the page's last snapshot, else null.</summary>
    private static ILocator? RoleRefLocator(IPage page, string reference)
    {
        if (!RoleRefs.TryGetValue(page, out RoleRefTable? table) || !table.Refs.TryGetValue(reference, out RoleRef? r)) { return null; }
        if (!Enum.TryParse(r.Role, ignoreCase: true, out AriaRole role)) { return null; }
        var options = new PageGetByRoleOptions { Exact = true };
        if (!string.IsNullOrEmpty(r.Name)) { options.Name = r.Name; }
        ILocator loc = table.Frame is { } frame
            ? page.FrameLocator(frame).GetByRole(role, new FrameLocatorGetByRoleOptions { Exact = true, Name = options.Name })
            : page.GetByRole(role, options);
        return r.Nth is int nth ? loc.Nth(nth) : loc;
    }

    private async Task<JsonObject> SnapshotAsync(ProfileRuntime p, Dictionary<string, string> query)
    {
        (_, TabEntry tab) = await TabAsync(p, query.GetValueOrDefault("targetId")).ConfigureAwait(false);
        bool efficient = query.GetValueOrDefault("mode") == "efficient";
        string format = query.GetValueOrDefault("format") is { Length: > 0 } f ? f : "ai";
        if (format != "ai" && format != "aria") { throw new RouteException(400, "format must be ai or aria"); }
        bool labels = IsTrue(query.GetValueOrDefault("labels"));
        if ((labels || efficient) && format == "aria") { throw new RouteException(400, "labels/mode=efficient require format=ai"); }
        // mode=efficient: interactive, compact, depth 6 and 8 000 characters unless given (OpenClaw's snapshot plan).
        bool interactive = query.TryGetValue("interactive", out string? iv) ? IsTrue(iv) : efficient;
        bool compact = query.TryGetValue("compact", out string? cv) ? IsTrue(cv) : efficient;
        bool urls = IsTrue(query.GetValueOrDefault("urls"));
        int? depth = int.TryParse(query.GetValueOrDefault("depth"), out int d) && d >= 0 ? d : efficient ? 6 : null;
        int? limit = int.TryParse(query.GetValueOrDefault("limit"), out int l) && l > 0 ? l : null;
        int? maxChars = format != "ai" ? null
            : !query.ContainsKey("maxChars") ? (efficient ? 8000 : 40000)
            : int.TryParse(query.GetValueOrDefault("maxChars"), out int mc) && mc >= 0 ? (mc > 0 ? mc : null) : (efficient ? 8000 : 40000);
        float timeout = float.TryParse(query.GetValueOrDefault("timeoutMs"), out float tm) && tm > 0 ? tm : 20000;
        string? selector = query.GetValueOrDefault("selector") is { } sv && !string.IsNullOrWhiteSpace(sv) ? sv.Trim() : null;
        string? frame = query.GetValueOrDefault("frame") is { } fv && !string.IsNullOrWhiteSpace(fv) ? fv.Trim() : null;
        string? refsMode = query.GetValueOrDefault("refs")?.Trim() switch { "aria" => "aria", "role" => "role", _ => null };
        // As OpenClaw: a shaped snapshot uses role refs unless refs=aria; a plain one Playwright's AI refs.
        bool wantsRole = labels || urls || efficient || interactive || compact || depth is not null || selector is not null || frame is not null;
        bool roleMode = format == "ai" && wantsRole && refsMode != "aria";
        if (format == "ai" && refsMode == "aria" && (selector is not null || frame is not null)) { throw new RouteException(400, "refs=aria does not support selector/frame snapshots yet."); }

        var result = new JsonObject { ["ok"] = true, ["format"] = format, ["targetId"] = tab.TargetId, ["url"] = tab.Page.Url };
        JsonObject state = tab.BrowserState();
        bool anyDialogs = state["dialogs"]!["pending"]!.AsArray().Count > 0 || state["dialogs"]!["recent"]!.AsArray().Count > 0;
        if (state["dialogs"]!["pending"]!.AsArray().Count > 0)
        {
            // A pending dialog blocks the page: say so instead of waiting for a snapshot that cannot come.
            result["blockedByDialog"] = true;
            result["browserState"] = state;
            if (format == "aria") { result["nodes"] = new JsonArray(); }
            else { result["snapshot"] = ""; result["refs"] = new JsonObject(); }
            return result;
        }
        if (anyDialogs) { result["browserState"] = state; }
        long document = tab.DocumentNumber;

        List<string> lines;
        JsonObject refs;
        if (roleMode)
        {
            (lines, refs) = await RoleSnapshotAsync(tab.Page, selector, frame, interactive, compact, depth, urls, timeout).ConfigureAwait(false);
        }
        else
        {
            string raw = selector is null
                ? await tab.Page.AriaSnapshotAsync(new PageAriaSnapshotOptions { Mode = AriaSnapshotMode.Ai, Depth = depth, Timeout = timeout }).ConfigureAwait(false)
                : await tab.Page.Locator(selector).First.AriaSnapshotAsync(new LocatorAriaSnapshotOptions { Mode = AriaSnapshotMode.Ai, Depth = depth, Timeout = timeout }).ConfigureAwait(false);
            // The AI refs are now the page's refs again.
            RoleRefs.Remove(tab.Page);
            JsonArray? nodes;
            (lines, refs, nodes) = AriaLines(raw, interactive, compact, urls, limit);
            if (format == "aria")
            {
                result["nodes"] = nodes;
                return result;
            }
        }

        string family = string.Join('\u0001', roleMode ? "role" : "aria", interactive, compact, depth, selector, frame, urls, maxChars);
        JsonObject finalized = FinalizeSnapshot(tab, family, document, roleMode, lines, refs, maxChars);
        if (labels)
        {
            foreach (KeyValuePair<string, JsonNode?> kv in await LabelledScreenshotAsync(tab.Page, (JsonObject)finalized["refs"]!, timeout).ConfigureAwait(false))
            {
                result[kv.Key] = kv.Value?.DeepClone();
            }
        }
        foreach (KeyValuePair<string, JsonNode?> kv in finalized.ToList())
        {
            finalized.Remove(kv.Key);
            result[kv.Key] = kv.Value;
        }
        return result;
    }

    /// <summary>Parses a Playwright AI snapshot into output lines, <c>refs</c> and (for <c>format=aria</c>) nodes.</summary>
    private static (List<string> Lines, JsonObject Refs, JsonArray Nodes) AriaLines(string raw, bool interactive, bool compact, bool urls, int? limit)
    {
        var refs = new JsonObject();
        var lines = new List<string>();
        var nodes = new JsonArray();
        foreach (string line in raw.Split('\n'))
        {
            Match m = RefLine().Match(line);
            if (!m.Success)
            {
                string t = line.TrimStart();
                bool urlLine = t.StartsWith("- /url:", StringComparison.Ordinal);
                if (interactive && !(urls && urlLine)) { continue; }
                if (compact && urlLine && !urls) { continue; }
                lines.Add(interactive ? "  " + t : line);
                continue;
            }
            string role = m.Groups["role"].Value;
            string? name = m.Groups["name"].Success ? Regex.Unescape(m.Groups["name"].Value) : null;
            bool isInteractive = InteractiveRoles.Contains(role);
            // compact: structure with neither a name nor interactivity is left out (its children stay).
            bool structural = !isInteractive && string.IsNullOrEmpty(name) && role is "generic" or "group" or "none" or "presentation";
            var entry = new JsonObject { ["role"] = role };
            if (!string.IsNullOrEmpty(name)) { entry["name"] = name; }
            if (!interactive || isInteractive) { refs[m.Groups["ref"].Value] = entry; }
            if (limit is null || nodes.Count < limit) { nodes.Add(new JsonObject { ["ref"] = m.Groups["ref"].Value, ["role"] = role, ["name"] = name ?? "", ["depth"] = m.Groups["indent"].Value.Length / 2 }); }
            if (interactive) { if (isInteractive) { lines.Add("- " + line.TrimStart()[2..]); } }
            else if (!(compact && structural)) { lines.Add(line); }
        }
        return (lines, refs, nodes);
    }

    /// <summary>
    /// A role-ref snapshot of the page, of <paramref name="selector"/> in it, or of the document of the iframe
    /// <paramref name="frame"/> selects: Playwright's aria snapshot with <c>[ref=eN]</c> added to interactive elements and
    /// named content (<c>[nth=N]</c> when role and name repeat), as OpenClaw builds role snapshots. The refs are kept
    /// for the page so actions find the elements by role, name and position.
    /// </summary>
    private static async Task<(List<string> Lines, JsonObject Refs)> RoleSnapshotAsync(IPage page, string? selector, string? frame, bool interactive, bool compact, int? depth, bool urls, float timeout)
    {
        string root = selector ?? ":root";
        ILocator scope = frame is null ? page.Locator(root) : page.FrameLocator(frame).Locator(root);
        if (frame is not null)
        {
            // The iframe itself must be there; its document is what gets snapshotted.
            if (await page.Locator(frame).CountAsync().ConfigureAwait(false) == 0) { throw new RouteException(404, $"frame \"{frame}\" matches no iframe on the page", "frame_not_found"); }
        }
        if (selector is not null && await scope.CountAsync().ConfigureAwait(false) == 0)
        {
            RoleRefs.AddOrUpdate(page, new RoleRefTable(frame, new Dictionary<string, RoleRef>(StringComparer.Ordinal)));
            return (new List<string> { interactive ? "(no interactive elements)" : "(empty)" }, new JsonObject());
        }
        string raw = await scope.First.AriaSnapshotAsync(new LocatorAriaSnapshotOptions { Timeout = timeout }).ConfigureAwait(false);

        var entries = new List<(int Depth, string Indent, string Role, string? Name, string Quote, string Tail, string Line)>();
        foreach (string line in raw.Split('\n'))
        {
            if (line.Length == 0) { continue; }
            Match m = RoleLine().Match(line);
            string indent = line[..(line.Length - line.TrimStart().Length)];
            if (!m.Success)
            {
                entries.Add((indent.Length / 2, indent, "", null, "", "", line));
                continue;
            }
            string? name = m.Groups["name"].Success ? Regex.Unescape(m.Groups["name"].Value) : null;
            entries.Add((indent.Length / 2, indent, m.Groups["role"].Value, name, m.Groups["quote"].Value, m.Groups["rest"].Value, line));
        }
        // The snapshot of a frame's (or page's) root starts with an unnamed document: OpenClaw's tree starts below it.
        if (entries.Count > 0 && entries[0].Role == "document" && entries[0].Name is null && entries[0].Depth == 0)
        {
            entries.RemoveAt(0);
            for (int i = 0; i < entries.Count; i++)
            {
                var e = entries[i];
                if (e.Indent.Length >= 2) { entries[i] = e with { Depth = e.Depth - 1, Indent = e.Indent[2..], Line = e.Line[2..] }; }
            }
        }
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var assigned = new List<(int Index, string Ref, string Key, int Nth)>();
        int next = 1;
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Role.Length == 0) { continue; }
            bool refd = InteractiveRoles.Contains(e.Role) || (ContentRoles.Contains(e.Role) && !string.IsNullOrEmpty(e.Name)) || e.Role == "iframe";
            if (!refd) { continue; }
            string key = e.Role + ":" + (e.Name ?? "");
            int nth = counts.GetValueOrDefault(key);
            counts[key] = nth + 1;
            assigned.Add((i, "e" + next++, key, nth));
        }
        var table = new Dictionary<string, RoleRef>(StringComparer.Ordinal);
        var refs = new JsonObject();
        var refAt = new Dictionary<int, (string Ref, int? Nth)>();
        foreach (var (index, reference, key, nth) in assigned)
        {
            var e = entries[index];
            int? keptNth = counts[key] > 1 ? nth : null;
            table[reference] = new RoleRef(e.Role, e.Name, keptNth);
            var o = new JsonObject { ["role"] = e.Role };
            if (!string.IsNullOrEmpty(e.Name)) { o["name"] = e.Name; }
            if (keptNth is int n) { o["nth"] = n; }
            refs[reference] = o;
            refAt[index] = (reference, keptNth);
        }
        RoleRefs.AddOrUpdate(page, new RoleRefTable(frame, table));

        var lines = new List<string>();
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (depth is int max && e.Depth > max) { continue; }
            bool hasRef = refAt.TryGetValue(i, out var r);
            if (e.Role.Length == 0)
            {
                // "- /url: …" under a link, other non-role lines: kept only in a full snapshot, URLs only with urls.
                bool urlLine = e.Line.TrimStart().StartsWith("- /url:", StringComparison.Ordinal);
                if (interactive || compact || (urlLine && !urls)) { continue; }
                lines.Add(e.Line);
                continue;
            }
            if (interactive && !(InteractiveRoles.Contains(e.Role) || e.Role == "iframe")) { continue; }
            if (compact && StructuralRoles.Contains(e.Role) && string.IsNullOrEmpty(e.Name) && !hasRef) { continue; }
            string name = e.Name is null ? "" : " \"" + e.Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            string suffix = hasRef ? $" [ref={r.Ref}]" + (r.Nth is int n && n > 0 ? $" [nth={n}]" : "") : "";
            string indent = interactive ? "" : e.Indent;
            lines.Add($"{indent}- {e.Quote}{e.Role}{name}{suffix}{e.Tail}");
        }
        // A line that introduced children ("- link \"Home\":") loses its colon when none of them was kept.
        for (int i = 0; i < lines.Count; i++)
        {
            if (!lines[i].EndsWith(':')) { continue; }
            int indent = lines[i].Length - lines[i].TrimStart().Length;
            bool hasChild = i + 1 < lines.Count && lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent;
            if (!hasChild) { lines[i] = lines[i][..^1]; }
        }
        if (lines.Count == 0) { lines.Add(interactive ? "(no interactive elements)" : "(empty)"); }
        return (lines, refs);
    }

    /// <summary>
    /// OpenClaw's finishing of an AI snapshot: marks new refs against the previous snapshot of the same family on the
    /// same document (<c>[new]</c> and a closing "N new element(s) since last snapshot" line), cuts at whole lines to
    /// <paramref name="maxChars"/>, keeps only the refs of the lines that remain and counts them.
    /// </summary>
    private static JsonObject FinalizeSnapshot(TabEntry tab, string family, long document, bool roleMode, List<string> lines, JsonObject refs, int? maxChars)
    {
        string Key(string reference, JsonNode? value) => roleMode
            ? $"{value?["role"]?.GetValue<string>()}\0{value?["name"]?.GetValue<string>() ?? ""}\0{(value?["nth"] is JsonNode n ? n.GetValue<int>() : 0)}"
            : reference;
        HashSet<string>? previous;
        lock (tab.SnapshotKeys)
        {
            previous = tab.SnapshotKeys.TryGetValue(family, out var prior) && prior.Document == document ? prior.Keys : null;
        }
        var source = new List<string>(lines);
        if (previous is not null)
        {
            var marked = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < source.Count; i++)
            {
                Match m = LineRef().Match(source[i]);
                if (!m.Success || refs[m.Groups[1].Value] is not JsonNode value) { continue; }
                string key = Key(m.Groups[1].Value, value);
                if (previous.Contains(key)) { continue; }
                source[i] += " [new]";
                marked.Add(key);
            }
            if (marked.Count > 0) { source.Add($"{marked.Count} new element(s) since last snapshot"); }
        }
        string full = string.Join("\n", source);
        bool truncated = maxChars is int max0 && full.Length > max0;
        string snapshot = full;
        int visibleLines = source.Count;
        if (truncated)
        {
            int max = maxChars!.Value;
            string marker = max >= 31 ? TruncationMarker : "…";
            string prefix = "";
            visibleLines = 0;
            foreach (string line in source)
            {
                string candidate = prefix.Length > 0 ? prefix + "\n" + line : line;
                if (candidate.Length + 2 + marker.Length > max) { break; }
                prefix = candidate;
                visibleLines++;
            }
            snapshot = prefix.Length > 0 ? prefix + "\n\n" + marker : marker;
        }
        var visible = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < visibleLines; i++)
        {
            Match m = LineRef().Match(source[i]);
            if (m.Success) { visible.Add(m.Groups[1].Value); }
        }
        var kept = new JsonObject();
        int interactive = 0;
        int newElements = 0;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, JsonNode?> kv in refs)
        {
            if (!visible.Contains(kv.Key)) { continue; }
            kept[kv.Key] = kv.Value?.DeepClone();
            if (InteractiveRoles.Contains(kv.Value?["role"]?.GetValue<string>() ?? "")) { interactive++; }
            string key = Key(kv.Key, kv.Value);
            keys.Add(key);
            if (previous is not null && !previous.Contains(key)) { newElements++; }
        }
        lock (tab.SnapshotKeys) { tab.SnapshotKeys[family] = (document, keys); }
        var o = new JsonObject
        {
            ["snapshot"] = snapshot,
            ["refs"] = kept,
            ["stats"] = new JsonObject
            {
                ["lines"] = snapshot.Length > 0 ? (truncated ? snapshot.Split('\n').Length : source.Count) : 0,
                ["chars"] = snapshot.Length,
                ["refs"] = kept.Count,
                ["interactive"] = interactive,
            },
        };
        if (previous is not null) { o["newElements"] = newElements; }
        if (truncated) { o["truncated"] = true; }
        return o;
    }

    /// <summary>
    /// <c>labels=true</c> (<c>GET /snapshot</c>, <c>POST /screenshot</c>): a viewport screenshot (PNG, or JPEG when
    /// <paramref name="jpeg"/>) with each ref's box outlined and tagged with its ref (at most 150), as OpenClaw draws them;
    /// answers <c>{imagePath, imageType:"png"|"jpeg", labels:true, labelsCount, labelsSkipped,
    /// annotations?:[{ref, number, role, name?, box:{x, y, width, height}}]}</c> (boxes relative to the image, in CSS pixels
    /// when it is 1:1 and rounded image pixels otherwise; refs outside
    /// the viewport are annotated but not drawn, refs without a box are skipped).
    /// </summary>
    private async Task<JsonObject> LabelledScreenshotAsync(IPage page, JsonObject refs, float timeout, bool jpeg = false)
    {
        JsonElement view = await page.EvaluateAsync<JsonElement>("() => ({ x: window.visualViewport.pageLeft, y: window.visualViewport.pageTop, width: window.visualViewport.width, height: window.visualViewport.height })").ConfigureAwait(false);
        double vx = view.GetProperty("x").GetDouble(), vy = view.GetProperty("y").GetDouble();
        double vw = view.GetProperty("width").GetDouble(), vh = view.GetProperty("height").GetDouble();
        var items = new JsonArray();
        var annotations = new List<(JsonObject Annotation, double X, double Y, double W, double H)>();
        int skipped = 0;
        foreach (KeyValuePair<string, JsonNode?> kv in refs)
        {
            LocatorBoundingBoxResult? box;
            try { box = await Locate(page, kv.Key, null).BoundingBoxAsync(new LocatorBoundingBoxOptions { Timeout = Math.Min(timeout, 2000) }).ConfigureAwait(false); }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException or RouteException) { box = null; }
            if (box is null) { skipped++; continue; }
            var annotation = new JsonObject
            {
                ["ref"] = kv.Key,
                ["number"] = int.TryParse(Regex.Match(kv.Key, "\\d+").Value, out int number) ? number : 0,
                ["role"] = kv.Value?["role"]?.GetValue<string>(),
            };
            if (kv.Value?["name"]?.GetValue<string>() is { Length: > 0 } name) { annotation["name"] = name; }
            bool inView = box.X < vw && box.X + box.Width > 0 && box.Y < vh && box.Y + box.Height > 0;
            if (!inView)
            {
                skipped++;
                annotations.Add((annotation, box.X, box.Y, box.Width, box.Height));
                continue;
            }
            if (items.Count >= MaxLabels) { skipped++; continue; }
            items.Add(new JsonObject { ["ref"] = kv.Key, ["x"] = Math.Round(box.X + vx), ["y"] = Math.Round(box.Y + vy), ["w"] = Math.Max(1, Math.Round(box.Width)), ["h"] = Math.Max(1, Math.Round(box.Height)) });
            annotations.Add((annotation, box.X, box.Y, box.Width, box.Height));
        }
        string file = MediaPath(jpeg ? "jpg" : "png");
        byte[] image;
        try
        {
            if (items.Count > 0) { await page.EvaluateAsync(OverlayScript, new object[] { items.ToJsonString(), Math.Round(vy) }).ConfigureAwait(false); }
            image = await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, Type = jpeg ? ScreenshotType.Jpeg : ScreenshotType.Png, Timeout = timeout }).ConfigureAwait(false);
        }
        finally
        {
            try { await page.EvaluateAsync(ClearOverlayScript).ConfigureAwait(false); } catch (PlaywrightException) { }
        }
        // Boxes are in CSS pixels of the viewport; the image may be larger (device scale factor).
        double scale = vw > 0 ? ImageWidth(image) / Math.Floor(vw + 0.001) : 1;
        var list = new JsonArray();
        foreach (var (a, x, y, w, h) in annotations)
        {
            // As OpenClaw: CSS pixels as measured when the image is 1:1, else scaled and rounded to image pixels.
            a["box"] = scale == 1
                ? new JsonObject { ["x"] = x, ["y"] = y, ["width"] = w, ["height"] = h }
                : new JsonObject { ["x"] = Math.Round(x * scale), ["y"] = Math.Round(y * scale), ["width"] = Math.Max(1, Math.Round(w * scale)), ["height"] = Math.Max(1, Math.Round(h * scale)) };
            list.Add(a);
        }
        var o = new JsonObject { ["imagePath"] = file, ["imageType"] = jpeg ? "jpeg" : "png", ["labels"] = true, ["labelsCount"] = items.Count, ["labelsSkipped"] = skipped };
        if (list.Count > 0) { o["annotations"] = list; }
        return o;
    }

    /// <summary>The pixel width of a PNG (IHDR) or JPEG (first SOFn segment) image; throws when it is neither.</summary>
    private static int ImageWidth(byte[] image)
    {
        if (image.Length >= 24 && image[0] == 0x89 && image[1] == (byte)'P') { return image[16] << 24 | image[17] << 16 | image[18] << 8 | image[19]; }
        int i = 2;
        while (image.Length >= 4 && image[0] == 0xFF && image[1] == 0xD8 && i + 9 < image.Length && image[i] == 0xFF)
        {
            byte marker = image[i + 1];
            // SOF0-SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) { return image[i + 7] << 8 | image[i + 8]; }
            i += 2 + (image[i + 2] << 8 | image[i + 3]);
        }
        throw new InvalidOperationException("the screenshot is neither PNG nor JPEG");
    }

    private const string OverlayScript = @"([itemsJson, captureY]) => {
  const items = JSON.parse(itemsJson);
  for (const old of document.querySelectorAll('[data-openclaw-annotation]')) old.remove();
  const root = document.createElement('div');
  root.setAttribute('data-openclaw-annotation', '1');
  root.style.cssText = 'position:absolute;top:0;left:0;width:0;height:0;pointer-events:none;z-index:2147483647;';
  for (const it of items) {
    const box = document.createElement('div');
    box.setAttribute('data-openclaw-annotation', '1');
    box.style.cssText = `position:absolute;left:${it.x}px;top:${it.y}px;width:${it.w}px;height:${it.h}px;border:2px solid #ffb020;box-sizing:border-box;pointer-events:none;`;
    const tag = document.createElement('div');
    tag.setAttribute('data-openclaw-annotation', '1');
    tag.textContent = String(it.ref);
    const top = it.y - captureY < 14 ? it.y + 2 : it.y - 14;
    tag.style.cssText = `position:absolute;left:${it.x}px;top:${top}px;background:#ffb020;color:#1a1a1a;font:bold 11px/14px monospace;padding:0 4px;border-radius:2px;white-space:nowrap;pointer-events:none;`;
    root.appendChild(box);
    root.appendChild(tag);
  }
  document.documentElement.appendChild(root);
  return true;
}";

    private const string ClearOverlayScript = "() => { for (const e of document.querySelectorAll('[data-openclaw-annotation]')) e.remove(); return true; }";
}
