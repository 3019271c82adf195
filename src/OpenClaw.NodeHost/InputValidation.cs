using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Protocol;

namespace OpenClaw.NodeHost;

/// <summary>
/// Command-line checks of gateway addresses made while parsing, before any command runs: a bad <c>--host</c>,
/// <c>--port</c> or <c>--tls-fingerprint</c> is reported with what is wrong and how to fix it, the process exits with
/// <see cref="NodeHostExitCodes.Usage"/> (2), and nothing is created or written (no state directory, identity or node.json).
/// </summary>
internal static class InputValidation
{
    /// <summary>Adds the host, port and fingerprint validators to the shared options (every command that has them).</summary>
    public static void AddGatewayValidators(Option<string?> host, Option<int?> port, Option<string?> fingerprint)
    {
        host.Validators.Add(r =>
        {
            string? value = Value<string?>(r);
            if (value is not null && GatewayEndpoint.HostProblem(value) is string why) { r.AddError($"--host: {why}"); }
        });
        port.Validators.Add(r =>
        {
            int? value = Value<int?>(r);
            if (value is int p && (p < 1 || p > 65535)) { r.AddError($"--port: {p} is out of range; use a TCP port from 1 to 65535 (the gateway's default is 18789)."); }
        });
        fingerprint.Validators.Add(r =>
        {
            string? value = Value<string?>(r);
            if (string.IsNullOrWhiteSpace(value)) { return; }
            try { TlsFingerprint.Normalise(value!); }
            catch (FormatException ex) { r.AddError("--tls-fingerprint: the value " + ex.Message); }
        });
    }

    /// <summary>Adds the agent-id check (<c>*</c> or a canonical OpenClaw agent id) to an <c>--agent</c> option: a bad id exits 2 at parse.</summary>
    public static void AddAgentValidator(Option agent)
    {
        agent.Validators.Add(r =>
        {
            string? value = Value<string?>(r);
            if (value is not null && OpenClaw.Node.Approvals.ExecApprovalsEditor.AgentIdProblem(value) is string why) { r.AddError("--agent: " + why); }
        });
    }

    /// <summary>The option's value, or default when it did not convert (the parser reports that error itself).</summary>
    private static T? Value<T>(OptionResult r)
    {
        try { return r.GetValueOrDefault<T>(); }
        catch (InvalidOperationException) { return default; }
    }

    /// <summary>
    /// Runs the parsed command line; parse and validation errors are printed to stderr with a pointer to <c>--help</c> and
    /// give exit code <see cref="NodeHostExitCodes.Usage"/> (2).
    /// </summary>
    public static Task<int> InvokeAsync(ParseResult parsed, InvocationConfiguration configuration, CancellationToken ct)
    {
        if (parsed.Errors.Count == 0) { return parsed.InvokeAsync(configuration, ct); }
        foreach (ParseError e in parsed.Errors) { Console.Error.WriteLine("openclaw-node: " + e.Message); }
        Console.Error.WriteLine("Run 'openclaw-node --help' (or '<command> --help') for usage.");
        return Task.FromResult(NodeHostExitCodes.Usage);
    }
}
