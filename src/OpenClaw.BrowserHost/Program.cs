using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace OpenClaw.BrowserHost;

/// <summary>
/// Entry point of <c>openclaw-browser</c>. Started by <c>openclaw-node</c> on the first <c>browser.proxy</c>
/// invocation with <c>--state-dir DIR --executable PATH [--headed] [--no-sandbox] [--profiles a,b]</c>.
/// </summary>
/// <remarks>
/// Protocol (one JSON object per line, UTF-8): requests on stdin
/// <c>{"id":n,"method":"GET|POST|DELETE","path":"/…","query":{k:"v"},"body":any}</c>, responses on stdout
/// <c>{"id":n,"status":200,"body":any}</c>. Requests are served concurrently; answers may come out of order and carry their request's id. End of stdin (the
/// parent exited or closed the pipe) stops every browser and exits 0. Diagnostics go to stderr.
/// </remarks>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        string? stateDir = null;
        string? exe = null;
        bool headless = true;
        bool noSandbox = false;
        string[] profiles = Array.Empty<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--state-dir" when i + 1 < args.Length: stateDir = args[++i]; break;
                case "--executable" when i + 1 < args.Length: exe = args[++i]; break;
                case "--profiles" when i + 1 < args.Length: profiles = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--headed": headless = false; break;
                case "--no-sandbox": noSandbox = true; break;
                default:
                    await Console.Error.WriteLineAsync($"openclaw-browser: unknown argument '{args[i]}'.").ConfigureAwait(false);
                    return 2;
            }
        }
        if (stateDir is null || exe is null)
        {
            await Console.Error.WriteLineAsync("openclaw-browser: --state-dir and --executable are required (it is started by openclaw-node).").ConfigureAwait(false);
            return 2;
        }

        var router = new Router(new BrowserOptions(stateDir, exe, headless, noSandbox, profiles));
        var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var write = new SemaphoreSlim(1, 1);
        var running = new System.Collections.Generic.List<Task>();
        try
        {
            while (await stdin.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0) { continue; }
                // Requests run concurrently (a response-body or download wait must not hold up the click that triggers it);
                // answers carry the request id.
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(async () =>
                {
                    JsonObject response = await ServeAsync(router, line).ConfigureAwait(false);
                    await write.WaitAsync().ConfigureAwait(false);
                    try { await stdout.WriteLineAsync(response.ToJsonString()).ConfigureAwait(false); }
                    finally { write.Release(); }
                }));
            }
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        finally
        {
            await router.DisposeAsync().ConfigureAwait(false);
        }
        return 0;
    }

    private static async Task<JsonObject> ServeAsync(Router router, string line)
    {
        long id = 0;
        try
        {
            JsonObject req = JsonNode.Parse(line) as JsonObject ?? throw new RouteException(400, "request must be a JSON object");
            id = req["id"]?.GetValue<long>() ?? 0;
            (int status, JsonNode? body) = await router.DispatchAsync(req, CancellationToken.None).ConfigureAwait(false);
            return new JsonObject { ["id"] = id, ["status"] = status, ["body"] = body };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return new JsonObject { ["id"] = id, ["status"] = 400, ["body"] = new JsonObject { ["error"] = "malformed request: " + ex.Message } };
        }
        catch (RouteException ex)
        {
            return new JsonObject { ["id"] = id, ["status"] = ex.Status, ["body"] = new JsonObject { ["error"] = ex.Message } };
        }
    }
}

/// <summary>How browsers are launched.</summary>
/// <param name="StateDirectory">The node's state directory; profiles live in <c>browser/profiles/NAME</c>, captures in <c>browser/media</c>.</param>
/// <param name="ExecutablePath">The Chromium-family executable.</param>
/// <param name="Headless">Launch without a window (default on).</param>
/// <param name="NoSandbox">Pass <c>--no-sandbox</c> (needed when running as root).</param>
/// <param name="ConfiguredProfiles">Profile names from <c>browser.profiles</c> besides the default <c>openclaw</c>.</param>
internal sealed record BrowserOptions(string StateDirectory, string ExecutablePath, bool Headless, bool NoSandbox, string[] ConfiguredProfiles);

/// <summary>A route failure: HTTP-like status and the message put in <c>{"error": …}</c>.</summary>
internal sealed class RouteException : Exception
{
    /// <summary>Creates the failure.</summary>
    public RouteException(int status, string message, string? code = null) : base(message)
    {
        Status = status;
        Code = code;
    }

    /// <summary>HTTP-like status (400 bad request, 404 not found, 409 conflict, 500 browser failure).</summary>
    public int Status { get; }

    /// <summary>Optional machine code put in <c>{"code": …}</c>.</summary>
    public string? Code { get; }
}
