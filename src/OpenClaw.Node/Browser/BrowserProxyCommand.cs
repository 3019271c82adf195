using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Browser;

/// <summary>
/// <c>browser.proxy</c> (spec §8.6): params <c>{method?, path, query?, body?, profile?, timeoutMs?, errorEnvelope?}</c>,
/// result <c>{result, files?, route?}</c>. Applies the node's config on every call (disabled → <c>UNAVAILABLE: node
/// browser proxy disabled</c>; allowProfiles; no persistent-profile mutation), forwards the route to the
/// <see cref="BrowserHostProcess"/>, inlines files the answer names (<c>path</c>, <c>imagePath</c>,
/// <c>download.path</c>, <c>downloads[].path</c>; at most 256 files, 10 MiB each, 16 MiB together) and refuses a
/// payload over 24 MiB encoded. Router failures (status ≥ 400) become <c>"&lt;status&gt;: &lt;error&gt;"</c>, or a
/// <c>{error:{status, body}, route}</c> result when <c>errorEnvelope</c> is <c>"browser-v1"</c>. The same class serves
/// <c>browser.proxy.upload.v1</c> (<see cref="UploadCommandName"/>): its <c>upload</c> envelope is staged by
/// <see cref="BrowserUploadStaging"/> and the staged paths go to <c>POST /hooks/file-chooser</c>. The node-private
/// <c>POST /__openclaw/session-tab/close-owned</c> is answered here (<c>ownership-mismatch</c>: this node issues no
/// ownership fingerprints).
/// </summary>
internal sealed class BrowserProxyCommand : INodeCommand
{
    /// <summary>Protocol name.</summary>
    public const string CommandName = "browser.proxy";

    /// <summary>Protocol name of the variant that carries gateway-owned upload files (<see cref="BrowserUploadStaging"/>).</summary>
    public const string UploadCommandName = "browser.proxy.upload.v1";

    /// <summary>The node-host-private route the gateway uses to close the tabs a session opened.</summary>
    private const string OwnedTabClosePath = "/__openclaw/session-tab/close-owned";

    /// <summary>Cap on the encoded result (24 MiB), as the official host.</summary>
    public const long MaxEncodedPayloadBytes = 24L * 1024 * 1024;

    private const long MaxFileBytes = 10L * 1024 * 1024;
    private const long MaxTotalFileBytes = 16L * 1024 * 1024;
    private const int MaxFiles = 256;
    private const int DefaultTimeoutMs = 20000;
    private const int MaxTimeoutMs = 120000;
    private const string DefaultProfile = "openclaw";

    private readonly string _stateDirectory;
    private readonly BrowserProxyFeature _feature;
    private readonly bool _upload;

    /// <summary>Creates the command over <paramref name="feature"/> (config, browser, helper); <paramref name="upload"/> makes it
    /// <c>browser.proxy.upload.v1</c>, which requires an upload envelope (plain <c>browser.proxy</c> refuses one).</summary>
    public BrowserProxyCommand(string stateDirectory, BrowserProxyFeature feature, bool upload = false)
    {
        _stateDirectory = stateDirectory;
        _feature = feature;
        _upload = upload;
    }

    /// <inheritdoc />
    public string Name => _upload ? UploadCommandName : CommandName;

    /// <inheritdoc />
    public Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct) => RunAsync(context.Params, ct);

    /// <summary>Runs one request (exposed for tests without a gateway).</summary>
    internal async Task<CommandResult> RunAsync(JsonObject p, CancellationToken ct)
    {
        try
        {
            return await RunCoreAsync(p, ct).ConfigureAwait(false);
        }
        catch (BrowserProxyException ex)
        {
            return CommandResult.Fail(ex.Code, ex.Message);
        }
    }

    private async Task<CommandResult> RunCoreAsync(JsonObject p, CancellationToken ct)
    {
        if (!_upload && p.ContainsKey("upload")) { return CommandResult.Invalid("browser.proxy does not accept upload envelopes"); }
        if (_upload && p["upload"] is null) { return CommandResult.Invalid("browser.proxy.upload.v1 requires an upload envelope"); }
        string path = (p.Str("path") ?? "").Trim();
        if (path.Length == 0) { return CommandResult.Invalid("path required"); }
        if (!path.StartsWith("/", StringComparison.Ordinal)) { path = "/" + path; }

        BrowserProxySettings settings;
        try { settings = BrowserProxySettings.Load(_stateDirectory); }
        catch (StateFileException ex) { return CommandResult.Fail("UNAVAILABLE", "UNAVAILABLE: " + ex.Message); }
        if (!settings.ProxyEnabled) { return CommandResult.Fail("UNAVAILABLE", "UNAVAILABLE: node browser proxy disabled"); }
        if (!settings.BrowserEnabled) { return CommandResult.Fail("UNAVAILABLE", "UNAVAILABLE: browser control is disabled (browser.enabled is false in openclaw.json)"); }

        string method = (p.Str("method") ?? "GET").Trim().ToUpperInvariant();
        if (method is not ("GET" or "POST" or "DELETE")) { return CommandResult.Invalid("method must be GET, POST, or DELETE"); }
        string bare = path.Split('?')[0];
        if (bare.Length > 1) { bare = bare.TrimEnd('/'); }
        if (bare == OwnedTabClosePath && method != "POST") { return CommandResult.Invalid("owned tab close requires POST"); }
        if ((method == "POST" && bare is "/profiles/create" or "/profiles/import" or "/reset-profile")
            || (method == "DELETE" && bare.StartsWith("/profiles/", StringComparison.Ordinal) && bare.IndexOf('/', 10) < 0))
        {
            return CommandResult.Invalid("browser.proxy cannot mutate persistent browser profiles");
        }
        if ((method == "GET" && bare is "/system-profiles" or "/system-profile-import/status")
            || (method == "POST" && bare is "/system-profile-import/dismiss" or "/profiles/import"))
        {
            return CommandResult.Invalid("browser.proxy cannot run host-local browser routes");
        }

        JsonNode? body = p["body"]?.DeepClone();
        var query = new JsonObject();
        if (p["query"] is JsonObject rawQuery)
        {
            foreach (KeyValuePair<string, JsonNode?> kv in rawQuery)
            {
                if (kv.Value is null) { continue; }
                query[kv.Key] = kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : kv.Value.ToJsonString();
            }
        }
        string requested = (p.Str("profile") ?? query.Str("profile") ?? body.Str("profile") ?? "").Trim();
        string effective = bare == "/profiles" ? "" : (requested.Length > 0 ? requested : DefaultProfile);
        string selected = effective.Length > 0 ? effective : requested;
        IReadOnlyList<string> allow = settings.AllowProfiles;
        if (allow.Count > 0 && (bare != "/profiles" || selected.Length > 0) && !Contains(allow, selected))
        {
            return CommandResult.Invalid("browser profile not allowed");
        }
        if (selected.Length > 0) { query["profile"] = selected; }
        bool envelope = p.Str("errorEnvelope") == "browser-v1";
        JsonObject? route = envelope
            ? (effective.Length > 0 ? new JsonObject { ["status"] = "resolved", ["profile"] = effective, ["driver"] = "openclaw" } : new JsonObject { ["status"] = "unavailable" })
            : null;

        if (bare == OwnedTabClosePath)
        {
            // The gateway closes the tabs a session opened by their ownership fingerprints (profile CDP endpoint, browser
            // instance). This node drives its browsers over Playwright's pipe and issues no such fingerprints, so no
            // ownership can match: the official answer for a profile without a CDP endpoint, and nothing is closed.
            var owned = new JsonObject { ["result"] = new JsonObject { ["status"] = "ownership-mismatch" } };
            if (route is not null) { owned["route"] = route; }
            return CommandResult.Success(owned);
        }

        string? staged = null;
        if (_upload)
        {
            (staged, body) = BrowserUploadStaging.Stage(_stateDirectory, method, bare, body, p["upload"]);
        }
        int timeoutMs = (int)Math.Min(Math.Max(p.Long("timeoutMs") ?? DefaultTimeoutMs, 1), MaxTimeoutMs);
        int status;
        JsonNode? result;
        try
        {
            (status, result) = await _feature.DispatchAsync(settings, method, path, query, body, TimeSpan.FromMilliseconds(timeoutMs), ct).ConfigureAwait(false);
        }
        catch
        {
            BrowserUploadStaging.Discard(staged);
            throw;
        }
        if (status >= 400)
        {
            BrowserUploadStaging.Discard(staged);
            if (envelope)
            {
                JsonNode errBody = result is JsonObject eb && eb.ContainsKey("error") ? eb : new JsonObject { ["error"] = $"HTTP {status}" };
                var failure = new JsonObject { ["error"] = new JsonObject { ["status"] = status, ["body"] = errBody } };
                if (route is not null) { failure["route"] = route; }
                return CommandResult.Success(failure);
            }
            string detail = (result.Str("error") ?? "").Trim();
            return CommandResult.Fail(status == 400 || status == 404 ? "INVALID_REQUEST" : "UNAVAILABLE", detail.Length > 0 ? $"{status}: {detail}" : $"HTTP {status}");
        }

        if (allow.Count > 0 && bare == "/profiles" && result is JsonObject pr)
        {
            var kept = new JsonArray();
            if (pr["profiles"] is JsonArray all)
            {
                foreach (JsonNode? e in all) { if (e.Str("name") is { } n && Contains(allow, n)) { kept.Add(e!.DeepClone()); } }
            }
            pr["profiles"] = kept;
        }

        var payload = new JsonObject { ["result"] = result };
        JsonArray? files = ReadFiles(result);
        if (files is not null) { payload["files"] = files; }
        if (route is not null) { payload["route"] = route; }
        string serialized = payload.ToJsonString(Json.Compact);
        if (Encoding.UTF8.GetByteCount(serialized) + 2L + CountQuotes(serialized) > MaxEncodedPayloadBytes)
        {
            return CommandResult.Fail("UNAVAILABLE", "browser proxy payload exceeds 24 MiB encoded limit");
        }
        return CommandResult.Success(payload);
    }

    private static long CountQuotes(string s)
    {
        long n = 0;
        foreach (char c in s) { if (c is '"' or '\\') { n++; } }
        return n;
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (string s in list) { if (string.Equals(s, value, StringComparison.Ordinal)) { return true; } }
        return false;
    }

    /// <summary>Reads the files the route answer names, with the official limits; null when it names none.</summary>
    private static JsonArray? ReadFiles(JsonNode? result)
    {
        if (result is not JsonObject root) { return null; }
        var paths = new List<string>();
        void Visit(JsonNode? owner, string key)
        {
            string? f = owner.Str(key)?.Trim();
            if (string.IsNullOrEmpty(f) || paths.Contains(f!)) { return; }
            paths.Add(f!);
            if (paths.Count > MaxFiles) { throw new BrowserProxyException("UNAVAILABLE", "browser proxy response exceeds 256 file limit"); }
        }
        Visit(root, "path");
        Visit(root, "imagePath");
        if (root["download"] is JsonObject dl) { Visit(dl, "path"); }
        if (root["downloads"] is JsonArray dls) { foreach (JsonNode? d in dls) { if (d is JsonObject) { Visit(d, "path"); } } }
        if (paths.Count == 0) { return null; }
        var files = new JsonArray();
        long total = 0;
        foreach (string f in paths)
        {
            byte[] bytes;
            try
            {
                var info = new FileInfo(f);
                if (!info.Exists) { throw new FileNotFoundException("file not found"); }
                Limits(info.Length, total + info.Length, f);
                bytes = File.ReadAllBytes(f);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BrowserProxyException("UNAVAILABLE", $"browser proxy file read failed for {f}: {ex.Message}");
            }
            Limits(bytes.LongLength, total + bytes.LongLength, f);
            total += bytes.LongLength;
            files.Add((JsonNode)new JsonObject { ["path"] = f, ["base64"] = Convert.ToBase64String(bytes), ["mimeType"] = Mime(f) });
        }
        return files;
    }

    private static void Limits(long fileBytes, long totalBytes, string f)
    {
        if (fileBytes > MaxFileBytes) { throw new BrowserProxyException("UNAVAILABLE", $"browser proxy file read failed for {f}: browser proxy file exceeds 10 MiB limit"); }
        if (totalBytes > MaxTotalFileBytes) { throw new BrowserProxyException("UNAVAILABLE", $"browser proxy file read failed for {f}: browser proxy files exceed 16 MiB aggregate limit"); }
    }

    private static string Mime(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".pdf" => "application/pdf",
        ".json" => "application/json",
        ".txt" => "text/plain",
        ".html" => "text/html",
        ".zip" => "application/zip",
        _ => "application/octet-stream",
    };
}

/// <summary>A <c>browser.proxy</c> failure with its protocol error code.</summary>
internal sealed class BrowserProxyException : Exception
{
    /// <summary>Creates the failure.</summary>
    public BrowserProxyException(string code, string message) : base(message) => Code = code;

    /// <summary><c>UNAVAILABLE</c>, <c>INVALID_REQUEST</c> or <c>TIMEOUT</c>.</summary>
    public string Code { get; }
}
