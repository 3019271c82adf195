using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Enrollment;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Service;
using OpenClaw.Node.State;

namespace OpenClaw.NodeHost;

/// <summary>
/// Fleet enrolment on the command line: <c>run --pair</c> / <c>--pair-file</c> / <c>$OPENCLAW_SETUP_CODE</c> (node side),
/// <c>nodes setup-code</c> and the filters of <c>nodes approve</c> (operator side).
/// </summary>
internal static class EnrollCommands
{
    /// <summary>The setup-code options of <c>run</c>.</summary>
    public sealed class RunOptions
    {
        public RunOptions(Option<string?> pair, Option<string?> pairFile, Option<string[]> commands)
        {
            Pair = pair;
            PairFile = pairFile;
            Commands = commands;
        }

        public Option<string?> Pair { get; }
        public Option<string?> PairFile { get; }
        public Option<string[]> Commands { get; }

        /// <summary>The <c>--commands</c> list (commas split), or null when not given.</summary>
        public IReadOnlyList<string>? GetCommands(ParseResult pr)
        {
            string[]? v = pr.GetValue(Commands);
            if (v is not { Length: > 0 }) { return null; }
            return v.SelectMany(x => x.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)).Select(x => x.Trim()).Where(x => x.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Adds <c>--pair</c> and <c>--pair-file</c> to <paramref name="run"/>.</summary>
    public static RunOptions AddTo(Command run)
    {
        var pair = new Option<string?>("--pair")
        {
            Description = "Enrol with a setup code or oc-pair:// link (New-OpenClawSetupCode / 'nodes setup-code'). It is a secret and argv is visible to other users: " +
                "prefer --pair-file or " + SetupCode.EnvironmentVariable + ". Used once; the device token replaces it.",
        };
        var pairFile = new Option<string?>("--pair-file") { Description = "Read the setup code from this owner-only file (mode 0600 / user-only ACL)." };
        pair.Validators.Add(r =>
        {
            string? v = r.GetValueOrDefault<string?>();
            if (v is null) { return; }
            try { SetupCode.Parse(v); }
            catch (SetupCodeException ex) { r.AddError(ex.Message); }
        });
        var commands = new Option<string[]>("--commands")
        {
            Description = "Declare and serve only these commands (e.g. system.run,system.which; repeat or comma-separate): a small first surface for filtered fleet approval.",
            AllowMultipleArgumentsPerToken = true,
        };
        run.Options.Add(pair);
        run.Options.Add(pairFile);
        run.Options.Add(commands);
        return new RunOptions(pair, pairFile, commands);
    }

    /// <summary>
    /// Resolves the setup code (<c>--pair</c>, else <c>--pair-file</c>, else <c>$OPENCLAW_SETUP_CODE</c>), checks it and runs
    /// <paramref name="run"/> with it (null without one). A malformed or expired code exits 2, an unusable file 78.
    /// </summary>
    public static Task<int> WithSetupCode(ParseResult pr, RunOptions o, Func<string?, Task<int>> run)
    {
        string? code = pr.GetValue(o.Pair);
        string? file = pr.GetValue(o.PairFile);
        if (code is not null && file is not null)
        {
            Console.Error.WriteLine("Give the setup code once: --pair or --pair-file, not both.");
            return Task.FromResult(NodeHostExitCodes.Usage);
        }
        if (file is not null)
        {
            try { code = TokenFile.Read(file); }
            catch (StateFileException ex)
            {
                Console.Error.WriteLine(ex.Message.Replace("token file", "setup-code file").Replace("gateway token", "setup code"));
                return Task.FromResult(NodeHostExitCodes.Configuration);
            }
        }
        code ??= Environment.GetEnvironmentVariable(SetupCode.EnvironmentVariable) is string env && env.Trim().Length > 0 ? env : null;
        if (code is not null)
        {
            try { SetupCode.Parse(code); }
            catch (SetupCodeException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return Task.FromResult(NodeHostExitCodes.Usage);
            }
        }
        return run(code);
    }

    /// <summary><c>nodes setup-code</c>: mints setup codes; the codes go to stdout only (text: one per line after a header on stderr; --json: objects).</summary>
    public static Command CreateSetupCode(Func<ParseResult, CancellationToken, Func<OperatorClient, CancellationToken, Task<int>>, Task<int>> op, Option<bool> json)
    {
        var count = new Option<int>("--count") { Description = "How many codes (one per machine; each works once, for 10 minutes). Default 1.", DefaultValueFactory = _ => 1 };
        var profile = new Option<string>("--profile") { Description = "Bootstrap profile: node (default: device and first command surface approved on first connect), limited, voice-node.", DefaultValueFactory = _ => "node" };
        profile.AcceptOnlyFromAmong(NodeEnrollmentOperations.BootstrapProfiles.ToArray());
        var publicUrl = new Option<string?>("--public-url") { Description = "Gateway URL the nodes reach (ws:// or wss://); needed when the gateway listens on loopback only and has no publicUrl configured." };
        var cmd = new Command("setup-code", "Mint setup codes for 'openclaw-node run --pair' (operator.admin). The codes are secrets: hand each to one machine.") { count, profile, publicUrl };
        cmd.SetAction((pr, ct) =>
        {
            int n = pr.GetValue(count);
            if (n < 1 || n > 1000) { Console.Error.WriteLine("--count must be between 1 and 1000."); return Task.FromResult(NodeHostExitCodes.Usage); }
            return op(pr, ct, async (client, c) =>
            {
                IReadOnlyList<SetupCodeInfo> codes;
                try { codes = await client.NewSetupCodesAsync(n, pr.GetValue(profile)!, pr.GetValue(publicUrl), c).ConfigureAwait(false); }
                catch (ArgumentException ex) { Console.Error.WriteLine(ex.Message); return NodeHostExitCodes.Usage; }
                if (pr.GetValue(json))
                {
                    var arr = new JsonArray();
                    foreach (SetupCodeInfo s in codes)
                    {
                        arr.Add((JsonNode)new JsonObject
                        {
                            ["setupId"] = s.SetupId,
                            ["setupCode"] = s.SetupCode,
                            ["expiresAt"] = s.ExpiresAt?.ToString("o", CultureInfo.InvariantCulture),
                            ["gatewayUrl"] = s.GatewayUrl,
                            ["access"] = s.Access,
                            ["urlSource"] = s.UrlSource,
                        });
                    }
                    Console.Out.WriteLine(Json.Indented(arr));
                }
                else
                {
                    SetupCodeInfo first = codes[0];
                    Console.Error.WriteLine($"{codes.Count} setup code(s) for {first.GatewayUrl} (access {first.Access}), valid until {first.ExpiresAt?.ToLocalTime():yyyy-MM-dd HH:mm:ss}; each works once. Keep them secret:");
                    foreach (SetupCodeInfo s in codes) { Console.Out.WriteLine(s.SetupCode); }
                }
                return 0;
            });
        });
        return cmd;
    }

    /// <summary>The filter options of <c>nodes approve</c>.</summary>
    public sealed class FilterOptions
    {
        public FilterOptions(Option<string[]> platform, Option<string[]> name, Option<string[]> allowed)
        {
            Platform = platform;
            Name = name;
            Allowed = allowed;
        }

        public Option<string[]> Platform { get; }
        public Option<string[]> Name { get; }
        public Option<string[]> Allowed { get; }

        /// <summary>The filter the options describe (commas split list values).</summary>
        public NodeRequestFilter Get(ParseResult pr)
        {
            static List<string> Split(string[]? v) => (v ?? Array.Empty<string>())
                .SelectMany(x => x.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)).Select(x => x.Trim()).Where(x => x.Length > 0).ToList();
            string[]? allowed = pr.GetValue(Allowed);
            return new NodeRequestFilter
            {
                Platforms = Split(pr.GetValue(Platform)),
                DisplayNamePatterns = (pr.GetValue(Name) ?? Array.Empty<string>()).Where(x => x.Length > 0).ToList(),
                AllowedCommands = allowed is { Length: > 0 } ? Split(allowed) : null,
            };
        }
    }

    /// <summary>Adds <c>--platform</c>, <c>--name</c> and <c>--allowed-command</c> to <paramref name="approve"/>.</summary>
    public static FilterOptions AddFilters(Command approve)
    {
        var platform = new Option<string[]>("--platform") { Description = "Only requests from these platforms (linux, windows, macos; repeat or comma-separate).", AllowMultipleArgumentsPerToken = true };
        var name = new Option<string[]>("--name") { Description = "Only requests whose display name matches this wildcard (e.g. 'build-*'; repeatable).", AllowMultipleArgumentsPerToken = true };
        var allowed = new Option<string[]>("--allowed-command")
        {
            Description = "The most a node may declare (e.g. system.run,system.which): a command-surface request declaring more is refused (NodeRequestCommandsTooBroad), and with any filter a device request for more than a node's role is refused too.",
            AllowMultipleArgumentsPerToken = true,
        };
        approve.Options.Add(platform);
        approve.Options.Add(name);
        approve.Options.Add(allowed);
        return new FilterOptions(platform, name, allowed);
    }

    /// <summary>
    /// <c>nodes approve</c> through <see cref="NodeEnrollmentOperations.ApproveMatchingAsync"/>: prints one line (or JSON
    /// object) per request; exit 0 when nothing was refused or failed, 1 otherwise.
    /// </summary>
    public static async Task<int> ApproveAsync(OperatorClient op, string? requestId, bool all, NodeRequestFilter filter, bool surfaceToo, int waitSec, bool json, CancellationToken ct)
    {
        if ((requestId is null) == !all)
        {
            Console.Error.WriteLine("Give either a request id or --all (list them with 'openclaw-node nodes pending').");
            return NodeHostExitCodes.Usage;
        }
        var results = new JsonArray();
        int bad = 0;
        void OnOutcome(NodeRequestOutcome o)
        {
            NodeRequestInfo r = o.Request;
            if (o.Outcome is NodeRequestOutcomeKind.Refused or NodeRequestOutcomeKind.Failed) { bad++; }
            results.Add((JsonNode)new JsonObject
            {
                ["kind"] = r.Kind == NodeRequestKind.Device ? "device" : "commandSurface",
                ["requestId"] = r.RequestId,
                ["nodeId"] = r.NodeId,
                ["displayName"] = r.DisplayName,
                ["platform"] = r.Platform,
                ["commands"] = Json.ToArray(r.Commands),
                ["outcome"] = o.Outcome.ToString(),
                ["ok"] = o.Outcome is NodeRequestOutcomeKind.Approved or NodeRequestOutcomeKind.Skipped,
                ["errorId"] = o.ErrorId,
                ["message"] = o.Message,
            });
            switch (o.Outcome)
            {
                case NodeRequestOutcomeKind.Approved: if (!json) { Console.Out.WriteLine($"Approved {r.Kind} request {r.RequestId} for {r.DisplayName ?? r.NodeId}."); } break;
                case NodeRequestOutcomeKind.Skipped: if (!json) { Console.Out.WriteLine($"Skipped: {o.Message}"); } break;
                // Refusals and failures always go to stderr (stdout keeps the JSON).
                default: Console.Error.WriteLine($"{o.Outcome} ({o.ErrorId}): {o.Message}"); break;
            }
        }
        await op.ApproveMatchingAsync(filter, surfaceToo, TimeSpan.FromSeconds(waitSec), OnOutcome, ct, all ? null : new[] { requestId! }).ConfigureAwait(false);
        if (json) { Console.Out.WriteLine(Json.Indented(results)); }
        return bad == 0 ? 0 : NodeHostExitCodes.Failure;
    }
}
