using System;
using OpenClaw.Node.Policy;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Hosting;

/// <summary>How <see cref="NodeHost"/> applies the machine policy and opens its log sinks (kept apart from the host loop).</summary>
internal static class NodeHostPolicy
{
    /// <summary>
    /// Loads the policy and checks the run's explicit gateway, pin and display name against it, before anything is
    /// written. Returns the refusal (naming the policy source and the fix), or null when the run may go ahead.
    /// </summary>
    public static string? Check(NodeHostOptions options, INodeLog log, out MachinePolicy policy)
    {
        policy = MachinePolicyLoader.Load(options.PolicyFile);
        if (policy.Error is string broken)
        {
            return broken;
        }
        try
        {
            policy.ApplyGateway(options.Host, options.Port, options.Tls, options.TlsFingerprint);
            if (!string.IsNullOrWhiteSpace(options.DisplayName)) { policy.CheckDisplayName(options.DisplayName!.Trim()); }
        }
        catch (MachinePolicyException ex)
        {
            return ex.Message;
        }
        return null;
    }

    /// <summary>The policy's gateway values (host, port, TLS, pin) that replace saved ones; all null without a gateway policy.</summary>
    public static (string? Host, int? Port, bool? Tls, string? Pin) Gateway(MachinePolicy policy, NodeHostOptions options)
    {
        try { return policy.ApplyGateway(options.Host, options.Port, options.Tls, options.TlsFingerprint); }
        catch (MachinePolicyException ex) { throw new GatewayException(FailureKind.Configuration, "MachinePolicyViolation", ex.Message); }
    }

    /// <summary>Checks the final settings (after saved node.json values were merged).</summary>
    /// <exception cref="GatewayException">Kind Configuration: the settings break the policy.</exception>
    public static void CheckFinal(MachinePolicy policy, GatewaySettings settings, string displayName)
    {
        try
        {
            policy.CheckGateway(settings);
            policy.CheckDisplayName(displayName);
        }
        catch (MachinePolicyException ex)
        {
            throw new GatewayException(FailureKind.Configuration, "MachinePolicyViolation", ex.Message);
        }
    }

    /// <summary>Adds the rotating file in <c>&lt;stateDir&gt;/logs</c> and, on Windows with the source registered, the Event Log.</summary>
    /// <remarks>Then logs the machine policy in force, so the file and the event log record it.</remarks>
    public static void OpenSinks(NodeLogPipeline pipeline, NodeHostOptions options, string stateDirectory, INodeLog log, MachinePolicy policy)
    {
        if (options.LogFileMaxBytes > 0)
        {
            string dir = System.IO.Path.Combine(stateDirectory, "logs");
            try
            {
                pipeline.AddSink(new RotatingFileLog(dir, Math.Max(1024, options.LogFileMaxBytes), Math.Max(0, Math.Min(100, options.LogFilesKept))));
            }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
            {
                log.Write(NodeLogLevel.Warning, $"Logging to '{dir}' is off: {ex.Message}");
            }
        }
        if (WindowsEventLogSink.TryCreate() is WindowsEventLogSink events) { pipeline.AddSink(events); }
        if (policy.InForce) { log.Write(NodeLogLevel.Info, policy.Describe() + "."); }
    }
}
