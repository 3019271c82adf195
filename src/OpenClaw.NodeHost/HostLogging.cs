using System;
using System.CommandLine;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Policy;

namespace OpenClaw.NodeHost;

/// <summary>
/// <c>--log-level debug|info|warning|error</c> of <c>openclaw-node run</c>, and the console log of a run. The level
/// applies to stderr (the journal under systemd), the rotating file in <c>&lt;stateDir&gt;/logs</c> and the Windows
/// Event Log; without the option <c>OPENCLAW_LOG_LEVEL</c>, then the machine policy's <c>logLevel</c>, then info.
/// <c>--verbose</c> means debug.
/// </summary>
internal static class HostLogging
{
    /// <summary>A new <c>--log-level</c> option.</summary>
    private static Option<string?> CreateOption() => new("--log-level")
    {
        Description = "Minimum log level for stderr/journal, the log file in <state-dir>/logs and the Windows Event Log: debug, info, warning, error " +
            "(default: $" + NodeLogLevels.EnvironmentVariable + ", the machine policy, else info).",
        HelpName = "level",
    };

    /// <summary>The level given on this process's command line (one command per process), or null.</summary>
    internal static NodeLogLevel? CommandLineLevel { get; private set; }

    /// <summary>Adds <c>--log-level</c> to <paramref name="run"/>; a value that is not a level is a usage error (exit 2).</summary>
    public static void AddTo(Command run)
    {
        Option<string?> option = CreateOption();
        option.AcceptOnlyFromAmong(NodeLogLevels.Names);
        run.Options.Add(option);
        run.Validators.Add(result =>
        {
            // Read the token, not GetValue: a value outside the list is already a parse error (exit 2), and GetValue would throw.
            var given = result.GetResult(option);
            string? text = given is null || given.Tokens.Count == 0 ? null : given.Tokens[given.Tokens.Count - 1].Value;
            CommandLineLevel = NodeLogLevels.Parse(text);
        });
    }

    /// <summary>The run's options with the explicit level (<c>--verbose</c> wins as debug).</summary>
    public static NodeHostOptions Apply(NodeHostOptions options, bool verbose) =>
        options with { LogLevel = verbose ? NodeLogLevel.Debug : options.LogLevel ?? CommandLineLevel };

    /// <summary>The stderr log of a run at the resolved level (journal priority prefixes under systemd).</summary>
    public static ConsoleLog Console(NodeHostOptions options) =>
        new(NodeLogLevels.Resolve(options.LogLevel, MachinePolicyLoader.Load(options.PolicyFile)));
}
