using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Service;
using OpenClaw.Node.State;

namespace OpenClaw.NodeHost;

/// <summary>
/// <c>openclaw-node install|start|stop|restart|uninstall</c>: the node host as a service (systemd, Scheduled Task or
/// Windows service, LaunchAgent), with <c>--json</c> in the official CLI's <c>{action, ok, result}</c> envelope.
/// Exit codes: 0 ok, 1 the operation could not be done (<c>ok:false</c>, for example start with nothing installed) or
/// the manager refused it, 2 invalid options, 78 a file could not be written.
/// </summary>
internal static class ServiceCommands
{
    /// <summary>Runs <paramref name="run"/> with the token from <paramref name="tokenFile"/> (owner-only, see <see cref="TokenFile"/>) or, without one, <paramref name="environmentToken"/>. A refused token file exits 78.</summary>
    public static Task<int> WithTokenFile(string? tokenFile, string? environmentToken, Func<string?, Task<int>> run)
    {
        if (tokenFile is null) { return run(environmentToken); }
        try { return run(TokenFile.Read(tokenFile)); }
        catch (StateFileException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return Task.FromResult(NodeHostExitCodes.Configuration);
        }
    }

    /// <summary>Adds the five service commands to <paramref name="root"/>, sharing the gateway options of <c>run</c>.</summary>
    public static void AddTo(RootCommand root, Option<string?> host, Option<int?> port, Option<bool> tls, Option<string?> fingerprint,
        Option<string?> nodeId, Option<string?> displayName, Option<string?> stateDir, Option<bool> json)
    {
        var force = new Option<bool>("--force") { Description = "Overwrite an existing install (otherwise it reports already-installed and changes nothing)." };
        var whatIf = new Option<bool>("--what-if") { Description = "Show what would be written and run, without changing anything." };
        var scope = new Option<string>("--scope") { Description = "user (default: systemd user unit, Scheduled Task, LaunchAgent) or system (systemd system unit, Windows service; run as root/Administrator).", DefaultValueFactory = _ => "user" };
        scope.AcceptOnlyFromAmong("user", "system");
        var account = new Option<string?>("--service-account") { Description = "system scope: the Linux user to run as (User=), or the gMSA DOMAIN\\name$ with --account-kind gmsa." };
        var kind = new Option<string>("--account-kind") { Description = "Windows service account: virtual (NT SERVICE\\openclaw-node, default), localservice, or gmsa.", DefaultValueFactory = _ => "virtual" };
        kind.AcceptOnlyFromAmong("virtual", "localservice", "gmsa");
        var exe = new Option<string?>("--executable") { Description = "Full path of the openclaw-node the service starts (default: this one)." };

        var install = new Command("install", "Install and start the node host as a service. The token comes from " + Program.TokenVariable + " and goes to an owner-only file, never into the definition.")
        {
            host, port, tls, fingerprint, nodeId, displayName, stateDir, scope, account, kind, exe, force, whatIf, json,
        };
        install.SetAction(pr => Execute("install", pr.GetValue(json), pr.GetValue(scope)!, c =>
        {
            var options = new NodeServiceOptions
            {
                ExecutablePath = string.Empty,
                Host = pr.GetValue(host),
                Port = pr.GetValue(port),
                Tls = pr.GetValue(tls),
                TlsFingerprint = pr.GetValue(fingerprint),
                NodeId = pr.GetValue(nodeId),
                DisplayName = pr.GetValue(displayName),
                StateDirectory = StateDirectory.Resolve(pr.GetValue(stateDir)),
                Scope = ParseScope(pr.GetValue(scope)!),
                ServiceAccount = pr.GetValue(account),
                WindowsAccount = pr.GetValue(kind) switch { "localservice" => WindowsServiceAccountKind.LocalService, "gmsa" => WindowsServiceAccountKind.ManagedServiceAccount, _ => WindowsServiceAccountKind.VirtualAccount },
            };
            options = WithExecutable(options, pr.GetValue(exe));
            string? token = Environment.GetEnvironmentVariable(Program.TokenVariable);
            return c.Install(options, string.IsNullOrEmpty(token) ? null : token, pr.GetValue(force), pr.GetValue(whatIf));
        }));

        Command Simple(string name, string description, Func<NodeServiceController, bool, NodeServiceResult> op)
        {
            var cmd = new Command(name, description) { scope, whatIf, json };
            cmd.SetAction(pr => Execute(name, pr.GetValue(json), pr.GetValue(scope)!, c => op(c, pr.GetValue(whatIf))));
            return cmd;
        }
        root.Add(install);
        root.Add(Simple("start", "Start the installed node service and wait until the manager reports it running.", (c, w) => c.Start(w)));
        root.Add(Simple("stop", "Stop the node service (succeeds when it is stopped or not installed).", (c, w) => c.Stop(w)));
        root.Add(Simple("restart", "Restart the installed node service.", (c, w) => c.Restart(w)));
        root.Add(Simple("uninstall", "Stop and remove the node service and its token file (succeeds when nothing is installed).", (c, w) => c.Uninstall(w)));
    }

    private static NodeServiceScope ParseScope(string s) => s == "system" ? NodeServiceScope.System : NodeServiceScope.User;

    /// <summary>The executable to put in the definition: the given path, else this process (with the dll when run through <c>dotnet</c>).</summary>
    private static NodeServiceOptions WithExecutable(NodeServiceOptions options, string? explicitPath)
    {
        if (explicitPath is not null) { return options with { ExecutablePath = NodeHostExecutable.Find(explicitPath, null) }; }
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown; give --executable.");
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return options with { ExecutablePath = self, ExecutablePrefixArguments = new[] { Path.Combine(AppContext.BaseDirectory, "openclaw-node.dll") } };
        }
        return options with { ExecutablePath = self };
    }

    private static int Execute(string action, bool json, string scope, Func<NodeServiceController, NodeServiceResult> op)
    {
        NodeServiceResult r;
        try
        {
            r = op(NodeServiceController.ForCurrentPlatform(ParseScope(scope)));
        }
        catch (Exception ex) when (ex is NodeServiceException or ArgumentException or StateFileException or FileNotFoundException)
        {
            int code = ex is ArgumentException ? NodeHostExitCodes.Usage : ex is StateFileException ? NodeHostExitCodes.Configuration : NodeHostExitCodes.Failure;
            if (json)
            {
                Console.Out.WriteLine(Json.Indented(new System.Text.Json.Nodes.JsonObject { ["action"] = action, ["ok"] = false, ["error"] = ex.Message }));
            }
            else { Console.Error.WriteLine(ex.Message); }
            return code;
        }
        if (json) { Console.Out.WriteLine(Json.Indented(NodeServiceJson.ToJson(r))); }
        else
        {
            (r.Ok ? Console.Out : Console.Error).WriteLine(r.Message);
            foreach (string w in r.Warnings) { Console.Error.WriteLine("warning: " + w); }
            foreach (string h in r.Hints) { Console.Error.WriteLine("hint: " + h); }
            if (r.Result.StartsWith("would-", StringComparison.Ordinal))
            {
                foreach (NodeServiceFile f in r.Files)
                {
                    Console.Out.WriteLine($"--- {f.Path}{(f.Secret ? " (owner-only)" : string.Empty)}");
                    Console.Out.WriteLine(f.Text);
                }
            }
        }
        return r.Ok ? 0 : NodeHostExitCodes.Failure;
    }
}
