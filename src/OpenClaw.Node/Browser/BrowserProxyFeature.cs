using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Browser;

/// <summary>
/// The zero-config browser proxy of one node host: reads <c>openclaw.json</c> at start (a malformed file is a
/// configuration error), decides whether <c>browser.proxy</c> is advertised (enabled, a Chromium-family browser
/// found, the <c>openclaw-browser</c> helper present) and owns the helper process, started on first use.
/// </summary>
internal sealed class BrowserProxyFeature : IDisposable
{
    private readonly string _stateDirectory;
    private readonly object _gate = new();
    private BrowserHostProcess? _process;

    private BrowserProxyFeature(string stateDirectory, BrowserProxySettings settings)
    {
        _stateDirectory = stateDirectory;
        Settings = settings;
        ExecutablePath = BrowserLocator.Find(settings.ExecutablePath, out string? error);
        HelperPath = BrowserHostProcess.Locate();
        DriverPath = HelperPath is null ? null : BrowserHostProcess.LocateDriver(HelperPath);
        if (ExecutablePath is null) { Unavailable = error; }
        else if (HelperPath is null)
        {
            string? named = Environment.GetEnvironmentVariable(BrowserHostProcess.HelperVariable);
            Unavailable = string.IsNullOrWhiteSpace(named)
                ? $"the openclaw-browser helper is not installed next to openclaw-node ({AppContext.BaseDirectory}, or its browser/ folder)"
                : $"the openclaw-browser helper is not installed: {BrowserHostProcess.HelperVariable} names {named}, which does not exist";
        }
        else if (DriverPath is null)
        {
            Unavailable = $"the Playwright driver of openclaw-browser is not installed (no .playwright/ next to {HelperPath}, nor under {BrowserHostProcess.DriverVariable}); " +
                "build the package with scripts/package.sh --with-browser-driver, or copy Playwright 1.64's .playwright directory next to openclaw-browser";
        }
    }

    /// <summary>The settings read at start.</summary>
    public BrowserProxySettings Settings { get; }

    /// <summary>The browser to launch, or null when none was found.</summary>
    public string? ExecutablePath { get; }

    /// <summary>The helper, or null when absent.</summary>
    public string? HelperPath { get; }

    /// <summary>The Playwright driver directory (<c>.playwright</c>) the helper will use, or null when absent.</summary>
    public string? DriverPath { get; }

    /// <summary>Why the proxy cannot work here (no browser, no helper, no driver), or null.</summary>
    public string? Unavailable { get; }

    /// <summary>Whether <c>browser.proxy</c> is declared: enabled by config and able to work.</summary>
    public bool Advertised => Settings.Enabled && Unavailable is null;

    /// <summary>Reads the config in <paramref name="stateDirectory"/> and looks for a browser.</summary>
    /// <exception cref="StateFileException"><c>openclaw.json</c> is malformed (the message names the line).</exception>
    public static BrowserProxyFeature Load(string stateDirectory) => new(stateDirectory, BrowserProxySettings.Load(stateDirectory));

    /// <summary><paramref name="commands"/> plus <c>browser.proxy</c> and <c>browser.proxy.upload.v1</c> when <see cref="Advertised"/>.</summary>
    public IReadOnlyList<INodeCommand> AddTo(IReadOnlyList<INodeCommand> commands)
    {
        if (!Advertised) { return commands; }
        var list = new List<INodeCommand>(commands) { new BrowserProxyCommand(_stateDirectory, this), new BrowserProxyCommand(_stateDirectory, this, upload: true) };
        return list;
    }

    /// <summary><paramref name="caps"/> plus <c>browser</c> when <see cref="Advertised"/>.</summary>
    public IReadOnlyList<string> AddCaps(IReadOnlyList<string> caps)
    {
        if (!Advertised) { return caps; }
        var list = new List<string>(caps);
        if (!list.Contains("browser")) { list.Add("browser"); }
        return list;
    }

    /// <summary>Serves one route: through the helper, or (no browser) the status route alone.</summary>
    /// <exception cref="BrowserProxyException">No browser or helper (<c>UNAVAILABLE</c>), time-out (<c>TIMEOUT</c>), helper failure.</exception>
    internal async Task<(int Status, JsonNode? Body)> DispatchAsync(BrowserProxySettings settings, string method, string path, JsonObject query,
        JsonNode? body, TimeSpan timeout, CancellationToken ct)
    {
        string bare = path.Split('?')[0];
        if (Unavailable is not null)
        {
            if (method == "GET" && (bare == "/" || bare.Length == 0))
            {
                return (200, new JsonObject
                {
                    ["enabled"] = true,
                    ["profile"] = query.Str("profile") ?? "openclaw",
                    ["driver"] = "openclaw",
                    ["transport"] = "cdp",
                    ["running"] = false,
                    ["cdpReady"] = false,
                    ["cdpHttp"] = false,
                    ["pageReady"] = false,
                    ["detectedBrowser"] = null,
                    ["detectedExecutablePath"] = ExecutablePath,
                    ["detectError"] = Unavailable,
                    ["executablePath"] = settings.ExecutablePath,
                    ["headless"] = settings.Headless,
                });
            }
            throw new BrowserProxyException("UNAVAILABLE", "UNAVAILABLE: no browser available on this node: " + Unavailable);
        }
        BrowserHostProcess process;
        lock (_gate)
        {
            if (_process is null)
            {
                var args = new List<string> { "--state-dir", _stateDirectory, "--executable", ExecutablePath! };
                if (!settings.Headless) { args.Add("--headed"); }
                if (settings.NoSandbox ?? IsRoot()) { args.Add("--no-sandbox"); }
                if (settings.Profiles.Count > 0) { args.Add("--profiles"); args.Add(string.Join(",", settings.Profiles)); }
                _process = new BrowserHostProcess(HelperPath!, args.ToArray());
            }
            process = _process;
        }
        var request = new JsonObject { ["method"] = method, ["path"] = path, ["query"] = query, ["body"] = body };
        try
        {
            return await process.SendAsync(request, timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new BrowserProxyException("TIMEOUT", $"browser proxy timed out for {method} {bare} after {(int)timeout.TotalMilliseconds}ms");
        }
        catch (IOException ex)
        {
            throw new BrowserProxyException("UNAVAILABLE", "UNAVAILABLE: " + ex.Message);
        }
    }

    /// <summary>
    /// For <c>openclaw-node status</c>: whether this installation would advertise <c>browser.proxy</c> for
    /// <paramref name="stateDirectory"/>, as one line and as JSON <c>{advertised, enabled, executablePath, helperPath,
    /// driverPath, problem}</c>. Never throws: a malformed <c>openclaw.json</c> is reported as the problem.
    /// </summary>
    public static (string Line, JsonObject Json) Describe(string stateDirectory)
    {
        BrowserProxyFeature f;
        try { f = Load(stateDirectory); }
        catch (StateFileException ex)
        {
            return ("not advertised: " + ex.Message, new JsonObject { ["advertised"] = false, ["problem"] = ex.Message });
        }
        using (f)
        {
            var json = new JsonObject
            {
                ["advertised"] = f.Advertised,
                ["enabled"] = f.Settings.Enabled,
                ["executablePath"] = f.ExecutablePath,
                ["helperPath"] = f.HelperPath,
                ["driverPath"] = f.DriverPath,
                ["problem"] = f.Settings.Enabled ? f.Unavailable : null,
            };
            string line = !f.Settings.Enabled ? "disabled by openclaw.json (browser.proxy not advertised)"
                : f.Unavailable is string why ? "not advertised: " + why
                : $"browser.proxy advertised: {f.ExecutablePath}, helper {f.HelperPath}";
            return (line, json);
        }
    }

    private static bool IsRoot() => !HostPlatform.IsWindows && string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    /// <summary>Stops the helper and its browsers.</summary>
    public void Dispose()
    {
        BrowserHostProcess? p;
        lock (_gate) { p = _process; _process = null; }
        p?.Dispose();
    }
}
