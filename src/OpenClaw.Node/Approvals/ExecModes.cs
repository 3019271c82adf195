using System;

namespace OpenClaw.Node.Approvals;

/// <summary>What an agent may run (spec §9.3): nothing, allowlisted commands, or anything. Ordered from strict to loose.</summary>
public enum ExecSecurity
{
    /// <summary>Nothing runs.</summary>
    Deny = 0,
    /// <summary>Only commands matching an allowlist entry run without approval.</summary>
    Allowlist = 1,
    /// <summary>Everything runs.</summary>
    Full = 2,
}

/// <summary>When a human must approve (spec §9.3). Ordered from loose to strict.</summary>
public enum ExecAsk
{
    /// <summary>Never ask.</summary>
    Off = 0,
    /// <summary>Ask when the allowlist does not cover the command.</summary>
    OnMiss = 1,
    /// <summary>Ask for every command.</summary>
    Always = 2,
}

/// <summary>The wire names of the modes.</summary>
public static class ExecModeNames
{
    /// <summary>Valid security values: deny, allowlist, full.</summary>
    public static readonly string[] SecurityValues = { "deny", "allowlist", "full" };

    /// <summary>Valid ask values: off, on-miss, always.</summary>
    public static readonly string[] AskValues = { "off", "on-miss", "always" };

    /// <summary>The wire name of a security mode.</summary>
    public static string Name(ExecSecurity s) => SecurityValues[(int)s];

    /// <summary>The wire name of an ask mode.</summary>
    public static string Name(ExecAsk a) => AskValues[(int)a];

    /// <summary>Parses a security mode (case-sensitive wire name); null when invalid.</summary>
    public static ExecSecurity? ParseSecurity(string? s) => Array.IndexOf(SecurityValues, s) is int i && i >= 0 ? (ExecSecurity)i : null;

    /// <summary>Parses an ask mode (case-sensitive wire name); null when invalid.</summary>
    public static ExecAsk? ParseAsk(string? s) => Array.IndexOf(AskValues, s) is int i && i >= 0 ? (ExecAsk)i : null;
}
