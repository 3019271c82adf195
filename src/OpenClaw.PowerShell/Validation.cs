using System;
using System.Management.Automation;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.PowerShell;

/// <summary>
/// Parameter-binding check of a gateway host name (<c>-HostName</c>): a DNS name, an IPv4 literal, or an IPv6 literal
/// with or without brackets; URLs, ports, paths, spaces and control characters are refused with the engine's message
/// (<see cref="GatewayEndpoint.HostProblem"/>), so a bad host never reaches a connection or a state file. PowerShell
/// reports the failure as <c>ParameterArgumentValidationError</c> before the cmdlet runs.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateGatewayHostAttribute : ValidateArgumentsAttribute
{
    /// <summary>Throws <see cref="ValidationMetadataException"/> naming the problem when the argument is not a usable host.</summary>
    /// <param name="arguments">The bound value (a string).</param>
    /// <param name="engineIntrinsics">Unused.</param>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (GatewayEndpoint.HostProblem(arguments as string ?? arguments?.ToString()) is string why)
        {
            throw new ValidationMetadataException("The gateway host " + why);
        }
    }
}

/// <summary>
/// Parameter-binding check of a TLS certificate pin (<c>-TlsFingerprint</c>): a SHA-256 fingerprint as 64 hex digits
/// or 32 colon-separated pairs, optionally prefixed with <c>sha256:</c>, any case (spec §2.2,
/// <see cref="TlsFingerprint.Normalise"/>). Fails as <c>ParameterArgumentValidationError</c> before the cmdlet runs.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateTlsFingerprintAttribute : ValidateArgumentsAttribute
{
    /// <summary>Throws <see cref="ValidationMetadataException"/> when the argument is not a SHA-256 fingerprint.</summary>
    /// <param name="arguments">The bound value (a string).</param>
    /// <param name="engineIntrinsics">Unused.</param>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        try { _ = TlsFingerprint.Normalise(arguments as string ?? arguments?.ToString() ?? string.Empty); }
        catch (FormatException ex) { throw new ValidationMetadataException("The TLS fingerprint " + ex.Message, ex); }
    }
}

/// <summary>
/// Parameter-binding check of a gateway address (<c>-Gateway</c>): <c>host</c>, <c>host:port</c>, <c>[v6]:port</c>, or a
/// <c>ws://</c>/<c>wss://</c> URL, parsed by <see cref="GatewayAddress.Parse"/> and its host and port checked by
/// <see cref="GatewayEndpoint.HostProblem"/> and the 1-65535 range. Fails as <c>ParameterArgumentValidationError</c>
/// before the cmdlet connects.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateGatewayAddressAttribute : ValidateArgumentsAttribute
{
    /// <summary>Throws <see cref="ValidationMetadataException"/> naming the problem when the argument is not a gateway address.</summary>
    /// <param name="arguments">The bound value (a string).</param>
    /// <param name="engineIntrinsics">Unused.</param>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        string text = arguments as string ?? arguments?.ToString() ?? string.Empty;
        GatewaySettings g;
        try { g = GatewayAddress.Parse(text); }
        catch (FormatException ex) { throw new ValidationMetadataException(ex.Message, ex); }
        if (GatewayEndpoint.HostProblem(g.Host) is string why) { throw new ValidationMetadataException("The gateway host " + why); }
        if (g.Port is < 1 or > 65535) { throw new ValidationMetadataException($"The gateway port {g.Port} in '{text}' is out of range; use 1-65535."); }
    }
}

/// <summary>
/// Parameter-binding check of an exec-approvals agent id (<c>-AgentId</c>): <c>*</c> or a canonical OpenClaw agent id
/// (<see cref="OpenClaw.Node.Approvals.ExecApprovalsEditor.AgentIdProblem"/>); the message names the form the gateway would
/// use. Fails as <c>ParameterArgumentValidationError</c> before anything is read or written.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateAgentIdAttribute : ValidateArgumentsAttribute
{
    /// <summary>Throws <see cref="ValidationMetadataException"/> when an argument (a string or each string of an array) is not an agent id.</summary>
    /// <param name="arguments">The bound value: a string or a string array.</param>
    /// <param name="engineIntrinsics">Unused.</param>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        foreach (object? one in arguments is System.Collections.IEnumerable list and not string ? list : new[] { arguments })
        {
            if (OpenClaw.Node.Approvals.ExecApprovalsEditor.AgentIdProblem(one?.ToString()) is string why) { throw new ValidationMetadataException(why); }
        }
    }
}
