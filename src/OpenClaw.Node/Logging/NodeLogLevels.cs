using System;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// Names and resolution of the log level: <c>debug</c>, <c>info</c>, <c>warning</c> (or <c>warn</c>), <c>error</c>.
/// The level of a run is the first of: the explicit value (<c>--log-level</c>, <c>-LogLevel</c>, <c>--verbose</c> =
/// debug), <c>OPENCLAW_LOG_LEVEL</c>, the machine policy's <c>logLevel</c>, else <c>info</c>.
/// </summary>
public static class NodeLogLevels
{
    /// <summary>The environment variable that sets the level when no explicit one is given.</summary>
    public const string EnvironmentVariable = "OPENCLAW_LOG_LEVEL";

    /// <summary>The accepted names, for messages and completion.</summary>
    public static readonly string[] Names = { "debug", "info", "warning", "error" };

    /// <summary>Parses a level name (case-insensitive; <c>warn</c> = warning); null when not a level.</summary>
    public static NodeLogLevel? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "debug" or "trace" or "verbose" => NodeLogLevel.Debug,
        "info" or "information" => NodeLogLevel.Info,
        "warn" or "warning" => NodeLogLevel.Warning,
        "error" => NodeLogLevel.Error,
        _ => null,
    };

    /// <summary>The lowercase name of a level.</summary>
    public static string Name(NodeLogLevel level) => Names[(int)level];

    /// <summary>Resolves the level of a run (see the type's summary); an unparsable environment value is ignored.</summary>
    public static NodeLogLevel Resolve(NodeLogLevel? explicitLevel, Policy.MachinePolicy? policy) =>
        explicitLevel ?? Parse(Environment.GetEnvironmentVariable(EnvironmentVariable)) ?? policy?.LogLevel ?? NodeLogLevel.Info;
}
