using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Browser;

/// <summary>
/// <c>browser.proxy.upload.v1</c> (spec §8.6): the gateway sends the bytes of the files an agent uploads through a file
/// chooser as <c>upload: {envelope: "browser-upload-v1", files: [{name, contentBase64}]}</c> with a
/// <c>POST /hooks/file-chooser</c> body that has no <c>paths</c>. The node writes private copies to
/// <c>&lt;state&gt;/browser/uploads/.proxy-uploads/upload-&lt;random&gt;/&lt;index&gt;/&lt;name&gt;</c> (folders 0700,
/// files 0600, a marker file naming the folder as ours) and hands their paths to the route. Limits as the official
/// node: 256 files, 10 MiB each, 16 MiB together; at most 64 staged folders and 256 MiB kept, each kept 24 hours.
/// </summary>
internal static class BrowserUploadStaging
{
    /// <summary>The envelope name.</summary>
    public const string Envelope = "browser-upload-v1";

    private const string RootName = ".proxy-uploads";
    private const string Prefix = "upload-";
    private const string MarkerName = ".openclaw-browser-proxy-upload-v1";
    private const string MarkerContent = "openclaw-browser-proxy-upload-v1\n";
    private const long MaxFileBytes = 10L * 1024 * 1024;
    private const long MaxTotalBytes = 16L * 1024 * 1024;
    private const int MaxFiles = 256;
    private const long MaxRetainedBytes = 256L * 1024 * 1024;
    private const int MaxRetainedDirectories = 64;
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    private static readonly object Gate = new();

    /// <summary>The uploads directory the helper accepts paths from.</summary>
    public static string UploadsDirectory(string stateDirectory) => Path.Combine(stateDirectory, "browser", "uploads");

    /// <summary>Validates and writes the upload; returns the folder (to remove if the route fails) and the body with <c>paths</c>.</summary>
    /// <exception cref="BrowserProxyException"><c>INVALID_REQUEST</c> for a malformed envelope or body, <c>UNAVAILABLE</c> for size limits,
    /// <c>RESOURCE_EXHAUSTED</c> when the staging area is full.</exception>
    public static (string Directory, JsonObject Body) Stage(string stateDirectory, string method, string path, JsonNode? body, JsonNode? upload)
    {
        if (method != "POST" || path != "/hooks/file-chooser") { throw Invalid("browser proxy upload requires the file chooser route"); }
        if (body is not JsonObject b || b.ContainsKey("paths")) { throw Invalid("browser proxy upload body must omit paths"); }
        if (upload is not JsonObject u || u.Str("envelope") != Envelope || u["files"] is not JsonArray { Count: > 0 } files) { throw Invalid("invalid browser proxy upload envelope"); }
        if (files.Count > MaxFiles) { throw new BrowserProxyException("UNAVAILABLE", "browser proxy request exceeds 256 file limit"); }

        var decoded = new List<(string Name, byte[] Bytes)>();
        long total = 0;
        long maxEncoded = (MaxFileBytes + 2) / 3 * 4;
        foreach (JsonNode? f in files)
        {
            string? name = f.Str("name");
            string? b64 = f.Str("contentBase64") ?? (f is JsonObject fo && fo["contentBase64"] is JsonValue ev && ev.TryGetValue(out string? empty) ? empty : null);
            if (string.IsNullOrWhiteSpace(name) || b64 is null || b64.Length > maxEncoded) { throw Invalid("invalid browser proxy upload file"); }
            if (b64.Length % 4 != 0) { throw Invalid("invalid browser proxy upload encoding"); }
            long estimated = b64.Length / 4 * 3 - (b64.EndsWith("==", StringComparison.Ordinal) ? 2 : b64.EndsWith("=", StringComparison.Ordinal) ? 1 : 0);
            Limits(estimated, total + estimated);
            byte[] bytes;
            try { bytes = Convert.FromBase64String(b64); }
            catch (FormatException) { throw Invalid("invalid browser proxy upload encoding"); }
            if (!string.Equals(Convert.ToBase64String(bytes), b64, StringComparison.Ordinal)) { throw Invalid("invalid browser proxy upload encoding"); }
            Limits(bytes.LongLength, total + bytes.LongLength);
            total += bytes.LongLength;
            decoded.Add((SafeName(name!), bytes));
        }

        string root = Path.Combine(UploadsDirectory(stateDirectory), RootName);
        lock (Gate)
        {
            try
            {
                SecureFile.EnsureDirectory(Path.Combine(stateDirectory, "browser"));
                SecureFile.EnsureDirectory(UploadsDirectory(stateDirectory));
                SecureFile.EnsureDirectory(root);
                List<(string Dir, long Bytes)> kept = Recover(root);
                if (kept.Count >= MaxRetainedDirectories || kept.Sum(k => k.Bytes) + total + MarkerContent.Length > MaxRetainedBytes)
                {
                    throw new BrowserProxyException("RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED: browser proxy upload staging limit reached");
                }
                string dir = Path.Combine(root, Prefix + Guid.NewGuid().ToString("N").Substring(0, 12));
                SecureFile.EnsureDirectory(dir);
                try
                {
                    WriteOwnerOnly(Path.Combine(dir, MarkerName), new UTF8Encoding(false).GetBytes(MarkerContent));
                    var paths = new JsonArray();
                    for (int i = 0; i < decoded.Count; i++)
                    {
                        string sub = Path.Combine(dir, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        SecureFile.EnsureDirectory(sub);
                        string file = Path.Combine(sub, decoded[i].Name);
                        WriteOwnerOnly(file, decoded[i].Bytes);
                        paths.Add((JsonNode)file);
                    }
                    var staged = (JsonObject)b.DeepClone();
                    staged["paths"] = paths;
                    return (dir, staged);
                }
                catch
                {
                    Discard(dir);
                    throw;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BrowserProxyException("UNAVAILABLE", "UNAVAILABLE: cannot stage the browser upload under " + root + ": " + ex.Message);
            }
        }
    }

    /// <summary>Removes a staged folder (the route failed before the browser took the files).</summary>
    public static void Discard(string? directory)
    {
        if (directory is null) { return; }
        try { if (Directory.Exists(directory)) { Directory.Delete(directory, recursive: true); } }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Our staged folders: expired ones removed, the rest with their sizes, oldest first.</summary>
    private static List<(string Dir, long Bytes)> Recover(string root)
    {
        var kept = new List<(string Dir, long Bytes, DateTime Time)>();
        foreach (string dir in Directory.GetDirectories(root, Prefix + "*"))
        {
            string marker = Path.Combine(dir, MarkerName);
            string? content = null;
            try { content = File.Exists(marker) ? File.ReadAllText(marker) : null; }
            catch (IOException) { }
            if (content != MarkerContent || SecureFile.IsLink(dir)) { continue; }
            DateTime time = Directory.GetLastWriteTimeUtc(dir);
            if (DateTime.UtcNow - time > Retention) { Discard(dir); continue; }
            long bytes = 0;
            foreach (string f in Directory.GetFiles(dir, "*", SearchOption.AllDirectories)) { bytes += new FileInfo(f).Length; }
            kept.Add((dir, bytes, time));
        }
        return kept.OrderBy(k => k.Time).Select(k => (k.Dir, k.Bytes)).ToList();
    }

    private static void WriteOwnerOnly(string path, byte[] bytes)
    {
#if NET
        if (!OperatingSystem.IsWindows())
        {
            using var fs = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = (UnixFileMode)FilePermissions.OwnerFile });
            fs.Write(bytes, 0, bytes.Length);
            return;
        }
#endif
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None)) { fs.Write(bytes, 0, bytes.Length); }
        FilePermissions.RestrictFile(path);
    }

    /// <summary>The last path segment without control or reserved characters, at most 180 UTF-8 bytes; <c>upload</c> when nothing is left.</summary>
    internal static string SafeName(string name)
    {
        string last = name.Replace('\\', '/').Split('/').Last();
        var sb = new StringBuilder();
        foreach (char c in last)
        {
            if (char.IsControl(c) || c is '<' or '>' or ':' or '"' or '|' or '?' or '*' or '!' or '%') { sb.Append('_'); }
            else { sb.Append(c); }
        }
        string s = sb.ToString().Trim();
        while (Encoding.UTF8.GetByteCount(s) > 180) { s = s.Substring(0, s.Length - 1); }
        s = s.TrimEnd('.', ' ').TrimStart('.');
        return s.Length == 0 ? "upload" : s;
    }

    private static void Limits(long fileBytes, long totalBytes)
    {
        if (fileBytes > MaxFileBytes) { throw new BrowserProxyException("UNAVAILABLE", "browser proxy file exceeds 10 MiB limit"); }
        if (totalBytes > MaxTotalBytes) { throw new BrowserProxyException("UNAVAILABLE", "browser proxy files exceed 16 MiB aggregate limit"); }
    }

    private static BrowserProxyException Invalid(string message) => new("INVALID_REQUEST", "INVALID_REQUEST: " + message);
}
