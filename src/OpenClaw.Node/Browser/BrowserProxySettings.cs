using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Browser;

/// <summary>
/// The browser settings of the node's OpenClaw config, <c>openclaw.json</c> (JSON5) in the state directory, as the
/// official node host reads them (spec §8.6). Every key is optional; a missing file means all defaults.
/// <list type="bullet">
/// <item><c>nodeHost.browserProxy.enabled</c> (bool, default true): false hides <c>browser.proxy</c>.</item>
/// <item><c>nodeHost.browserProxy.allowProfiles</c> (string array, default empty = all): the only profiles requests may use.</item>
/// <item><c>browser.enabled</c> (bool, default true): false also hides <c>browser.proxy</c>.</item>
/// <item><c>browser.executablePath</c> (string): the Chromium-family browser to launch instead of the detected one.</item>
/// <item><c>browser.headless</c> (bool, default true) and <c>browser.noSandbox</c> (bool, default: true when running as root).</item>
/// <item><c>browser.profiles</c> (object): extra profile names besides the default <c>openclaw</c>.</item>
/// </list>
/// </summary>
internal sealed class BrowserProxySettings
{
    /// <summary>The file name inside the state directory.</summary>
    public const string FileName = "openclaw.json";

    /// <summary>False when <c>nodeHost.browserProxy.enabled</c> is false.</summary>
    public bool ProxyEnabled { get; private set; } = true;

    /// <summary>False when <c>browser.enabled</c> is false.</summary>
    public bool BrowserEnabled { get; private set; } = true;

    /// <summary>Allowed profile names; empty means every profile.</summary>
    public IReadOnlyList<string> AllowProfiles { get; private set; } = Array.Empty<string>();

    /// <summary>The configured browser executable, or null to detect one.</summary>
    public string? ExecutablePath { get; private set; }

    /// <summary>Launch headless (default true).</summary>
    public bool Headless { get; private set; } = true;

    /// <summary>Launch with <c>--no-sandbox</c>; null means "when running as root".</summary>
    public bool? NoSandbox { get; private set; }

    /// <summary>Extra profile names from <c>browser.profiles</c>.</summary>
    public IReadOnlyList<string> Profiles { get; private set; } = Array.Empty<string>();

    /// <summary>Both switches on.</summary>
    public bool Enabled => ProxyEnabled && BrowserEnabled;

    /// <summary>Reads <c>openclaw.json</c> from <paramref name="stateDirectory"/>.</summary>
    /// <exception cref="StateFileException">The file is not JSON5, or a key has the wrong type; the message names the file, the line and the fix.</exception>
    public static BrowserProxySettings Load(string stateDirectory)
    {
        string path = Path.Combine(stateDirectory, FileName);
        var settings = new BrowserProxySettings();
        if (!File.Exists(path)) { return settings; }
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(path, $"Cannot read the OpenClaw config '{path}': {ex.Message}", ex);
        }
        JsonNode? root;
        try { root = Json5Reader.Parse(text); }
        catch (FormatException ex)
        {
            throw new StateFileException(path, $"The OpenClaw config '{path}' is not valid JSON5 at {ex.Message}. Fix that line or remove the file.", ex);
        }
        if (root is not JsonObject obj) { throw Invalid(path, "(top level)", "an object"); }
        JsonObject? proxy = Section(path, Section(path, obj, "nodeHost", "nodeHost"), "browserProxy", "nodeHost.browserProxy");
        JsonObject? browser = Section(path, obj, "browser", "browser");
        settings.ProxyEnabled = Bool(path, proxy, "enabled", "nodeHost.browserProxy.enabled") ?? true;
        settings.BrowserEnabled = Bool(path, browser, "enabled", "browser.enabled") ?? true;
        settings.Headless = Bool(path, browser, "headless", "browser.headless") ?? true;
        settings.NoSandbox = Bool(path, browser, "noSandbox", "browser.noSandbox");
        settings.ExecutablePath = Str(path, browser, "executablePath", "browser.executablePath");
        if (proxy?["allowProfiles"] is { } allow)
        {
            if (allow is not JsonArray arr) { throw Invalid(path, "nodeHost.browserProxy.allowProfiles", "an array of profile names"); }
            var list = new List<string>();
            foreach (JsonNode? n in arr)
            {
                if (n is not JsonValue v || v.GetValueKind() != JsonValueKind.String) { throw Invalid(path, "nodeHost.browserProxy.allowProfiles", "an array of profile names"); }
                string name = v.GetValue<string>().Trim();
                if (name.Length > 0 && !list.Contains(name)) { list.Add(name); }
            }
            settings.AllowProfiles = list;
        }
        if (Section(path, browser, "profiles", "browser.profiles") is { } profiles)
        {
            var names = new List<string>();
            foreach (KeyValuePair<string, JsonNode?> kv in profiles) { names.Add(kv.Key); }
            settings.Profiles = names;
        }
        return settings;
    }

    private static StateFileException Invalid(string path, string key, string expected) =>
        new(path, $"The OpenClaw config '{path}': {key} must be {expected}. Fix the value or remove the key.");

    private static JsonObject? Section(string path, JsonObject? parent, string key, string full)
    {
        JsonNode? n = parent?[key];
        if (n is null) { return null; }
        return n as JsonObject ?? throw Invalid(path, full, "an object");
    }

    private static bool? Bool(string path, JsonObject? parent, string key, string full)
    {
        JsonNode? n = parent?[key];
        if (n is null) { return null; }
        if (n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) { return v.GetValue<bool>(); }
        throw Invalid(path, full, "true or false");
    }

    private static string? Str(string path, JsonObject? parent, string key, string full)
    {
        JsonNode? n = parent?[key];
        if (n is null) { return null; }
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            string s = v.GetValue<string>().Trim();
            return s.Length == 0 ? null : s;
        }
        throw Invalid(path, full, "a string");
    }
}

/// <summary>Finds a Chromium-family browser (Chrome, Edge, Chromium, Brave) in the usual places for this platform.</summary>
internal static class BrowserLocator
{
    /// <summary>The candidate paths, in preference order, for this platform.</summary>
    public static IReadOnlyList<string> Candidates()
    {
        var list = new List<string>();
        if (HostPlatform.IsWindows)
        {
            foreach (string? root in new[]
            {
                Environment.GetEnvironmentVariable("ProgramFiles"), Environment.GetEnvironmentVariable("ProgramFiles(x86)"),
                Environment.GetEnvironmentVariable("LOCALAPPDATA"),
            })
            {
                if (string.IsNullOrEmpty(root)) { continue; }
                list.Add(Path.Combine(root, "Google", "Chrome", "Application", "chrome.exe"));
                list.Add(Path.Combine(root, "Microsoft", "Edge", "Application", "msedge.exe"));
                list.Add(Path.Combine(root, "Chromium", "Application", "chrome.exe"));
                list.Add(Path.Combine(root, "BraveSoftware", "Brave-Browser", "Application", "brave.exe"));
            }
        }
        else if (HostPlatform.Platform == "darwin")
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            foreach (string root in new[] { "/Applications", Path.Combine(home, "Applications") })
            {
                list.Add(Path.Combine(root, "Google Chrome.app/Contents/MacOS/Google Chrome"));
                list.Add(Path.Combine(root, "Microsoft Edge.app/Contents/MacOS/Microsoft Edge"));
                list.Add(Path.Combine(root, "Chromium.app/Contents/MacOS/Chromium"));
                list.Add(Path.Combine(root, "Brave Browser.app/Contents/MacOS/Brave Browser"));
            }
        }
        else
        {
            list.AddRange(new[]
            {
                "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome",
                "/usr/bin/microsoft-edge", "/usr/bin/microsoft-edge-stable", "/opt/microsoft/msedge/msedge",
                "/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium", "/usr/bin/brave-browser",
            });
        }
        return list;
    }

    /// <summary>
    /// The executable to launch: <paramref name="configured"/> when set (null with <paramref name="error"/> when it
    /// does not exist), else the first candidate that exists (null with <paramref name="error"/> listing where it looked).
    /// </summary>
    public static string? Find(string? configured, out string? error)
    {
        error = null;
        if (configured is not null)
        {
            if (File.Exists(configured)) { return Path.GetFullPath(configured); }
            error = $"the configured browser.executablePath '{configured}' does not exist; install the browser there or fix the path in openclaw.json";
            return null;
        }
        IReadOnlyList<string> candidates = Candidates();
        foreach (string c in candidates) { if (File.Exists(c)) { return c; } }
        error = "no Chromium-family browser (Chrome, Edge, Chromium, Brave) found; looked in " + string.Join(", ", candidates)
            + ". Install one, or set browser.executablePath in openclaw.json in the state directory";
        return null;
    }
}
