using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Browser;

/// <summary>
/// The <c>openclaw-browser</c> child process (src/OpenClaw.BrowserHost: Playwright driving the local Chromium),
/// started on the first <c>browser.proxy</c> request and kept for the life of the host. Keeping Playwright out of
/// process keeps the AOT-published host trim-clean and small while idle. Requests are JSON lines on its stdin, answers
/// JSON lines on its stdout (see that project's Program.cs); it exits when its stdin closes, so it never outlives us.
/// </summary>
internal sealed class BrowserHostProcess : IDisposable
{
    /// <summary>Environment variable naming the helper (its apphost or its <c>.dll</c>) when it is not next to the host.</summary>
    public const string HelperVariable = "OPENCLAW_BROWSER_HOST";

    private readonly string _helper;
    private readonly string[] _args;
    private readonly SemaphoreSlim _start = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly StringBuilder _stderr = new();
    private Process? _process;
    private long _nextId;

    /// <summary>Prepares (does not start) the helper with its command-line arguments.</summary>
    public BrowserHostProcess(string helper, string[] args)
    {
        _helper = helper;
        _args = args;
    }

    /// <summary>Where the helper is: <see cref="HelperVariable"/>, else next to this host or in its <c>browser/</c> subdirectory; null when absent.</summary>
    public static string? Locate()
    {
        string? env = Environment.GetEnvironmentVariable(HelperVariable);
        if (!string.IsNullOrWhiteSpace(env)) { return File.Exists(env) ? Path.GetFullPath(env) : null; }
        foreach (string dir in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "browser") })
        {
            foreach (string name in new[] { HostPlatform.IsWindows ? "openclaw-browser.exe" : "openclaw-browser", "openclaw-browser.dll" })
            {
                string p = Path.Combine(dir, name);
                if (File.Exists(p)) { return p; }
            }
        }
        return null;
    }

    /// <summary>Environment variable (Playwright's own) naming a directory that holds the driver's <c>.playwright/</c>.</summary>
    public const string DriverVariable = "PLAYWRIGHT_DRIVER_SEARCH_PATH";

    /// <summary>
    /// The directory holding Playwright's driver (<c>.playwright/package/cli.js</c> and its Node runtime, ~136 MB), searched
    /// as Playwright does: next to the helper, then <see cref="DriverVariable"/>; null when absent. Packages built without
    /// <c>--with-browser-driver</c> do not carry it.
    /// </summary>
    public static string? LocateDriver(string helperPath)
    {
        foreach (string? dir in new[] { Path.GetDirectoryName(Path.GetFullPath(helperPath)), Environment.GetEnvironmentVariable(DriverVariable) })
        {
            if (!string.IsNullOrWhiteSpace(dir) && File.Exists(Path.Combine(dir!, ".playwright", "package", "cli.js"))) { return Path.Combine(dir!, ".playwright"); }
        }
        return null;
    }

    /// <summary>Whether the helper process is running now.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>Sends one route request and waits for its answer.</summary>
    /// <returns>The HTTP-like status and the JSON body.</returns>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="IOException">The helper could not be started or died.</exception>
    public async Task<(int Status, JsonNode? Body)> SendAsync(JsonObject request, TimeSpan timeout, CancellationToken ct)
    {
        Process p = await EnsureStartedAsync(ct).ConfigureAwait(false);
        long id = Interlocked.Increment(ref _nextId);
        request["id"] = id;
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        try
        {
            string line = request.ToJsonString(Json.Compact);
            lock (p) { p.StandardInput.WriteLine(line); p.StandardInput.Flush(); }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            using (cts.Token.Register(() => tcs.TrySetCanceled()))
            {
                try
                {
                    JsonObject answer = await tcs.Task.ConfigureAwait(false);
                    return ((int)(answer.Long("status") ?? 500), answer["body"]?.DeepClone());
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException();
                }
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task<Process> EnsureStartedAsync(CancellationToken ct)
    {
        await _start.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_process is { HasExited: false } running) { return running; }
            bool dll = _helper.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
            var psi = new ProcessStartInfo(dll ? "dotnet" : _helper)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
                StandardOutputEncoding = new UTF8Encoding(false),
            };
            var argv = new System.Collections.Generic.List<string>();
            if (dll) { argv.Add(_helper); }
            argv.AddRange(_args);
#if NET
            psi.StandardInputEncoding = new UTF8Encoding(false);
            foreach (string a in argv) { psi.ArgumentList.Add(a); }
#else
            psi.Arguments = ProcessArgs.Quote(argv);
#endif
            // The helper needs no gateway secrets, nor the host's own socket settings.
            Hosting.HostEnvironment.RemoveHostOnly(psi.Environment);
            var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
            p.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) { FailAll("the browser helper exited" + StderrTail()); return; }
                if (Json.ParseOrNull(e.Data) is JsonObject o && o.Long("id") is long id && _pending.TryGetValue(id, out TaskCompletionSource<JsonObject>? t)) { t.TrySetResult(o); }
            };
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) { return; }
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                    if (_stderr.Length > 8192) { _stderr.Remove(0, _stderr.Length - 8192); }
                }
            };
            try { p.Start(); }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                throw new IOException($"cannot start the browser helper '{_helper}': {ex.Message}", ex);
            }
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            _process = p;
            return p;
        }
        finally
        {
            _start.Release();
        }
    }

    private string StderrTail()
    {
        lock (_stderr)
        {
            string s = _stderr.ToString().Trim();
            if (s.Length == 0) { return ""; }
            int nl = s.LastIndexOf('\n');
            return ": " + (nl >= 0 ? s.Substring(nl + 1) : s);
        }
    }

    private void FailAll(string message)
    {
        foreach (TaskCompletionSource<JsonObject> t in _pending.Values) { t.TrySetException(new IOException(message)); }
    }

    /// <summary>Closes the helper's stdin (it stops its browsers and exits) and kills it if it lingers.</summary>
    public void Dispose()
    {
        Process? p = _process;
        _process = null;
        if (p is null) { return; }
        try
        {
            if (!p.HasExited)
            {
                p.StandardInput.Close();
                if (!p.WaitForExit(5000))
                {
#if NET
                    p.Kill(entireProcessTree: true);
#else
                    p.Kill();
#endif
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception) { }
        p.Dispose();
    }
}
