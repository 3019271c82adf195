using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Commands;

/// <summary>The outcome of checking a <c>system.run</c> request's <c>env</c> overrides.</summary>
internal sealed record EnvCheck(IReadOnlyList<string> Blocked, IReadOnlyList<string> Invalid, IReadOnlyDictionary<string, string> Accepted)
{
    public bool Ok => Blocked.Count == 0 && Invalid.Count == 0;
}

/// <summary>
/// Environment sanitisation for <c>system.run</c> (spec §9.8), driven by OpenClaw's host-env security policy
/// (embedded <c>host-env-security-policy.json</c>) plus Windows-specific keys (PATHEXT, ComSpec, PSModulePath, CDPATH).
/// Keys are compared case-insensitively on every platform (blocking <c>Path</c> on Linux is harmless; missing it on
/// Windows is not).
/// </summary>
internal sealed class EnvPolicy
{
    private static readonly Regex PortableName = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);
    private static readonly Regex WindowsName = new(@"^[A-Za-z_][A-Za-z0-9_()]*$", RegexOptions.CultureInvariant);
    private static readonly Regex CargoTargetRunner = new("^CARGO_TARGET_[A-Z0-9_]+_(LINKER|RUNNER)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    private static readonly string[] ExtraBlockedOverrides = { "PATH", "PATHEXT", "COMSPEC", "PSMODULEPATH", "CDPATH" };
    private static readonly string[] WrapperAllowed = { "TERM", "LANG", "COLORTERM", "NO_COLOR", "FORCE_COLOR" };

    private readonly HashSet<string> _blockedEverywhere;
    private readonly HashSet<string> _blockedOverride;
    private readonly HashSet<string> _allowedInherited;
    private readonly string[] _blockedPrefixes;
    private readonly string[] _blockedOverridePrefixes;

    private EnvPolicy(JsonObject doc)
    {
        static HashSet<string> Set(JsonObject d, string name) =>
            new(d.StrArray(name) ?? throw new InvalidDataException("host-env-security-policy.json lacks " + name), StringComparer.OrdinalIgnoreCase);
        _blockedEverywhere = Set(doc, "blockedEverywhereKeys");
        _blockedOverride = Set(doc, "blockedOverrideOnlyKeys");
        foreach (string k in ExtraBlockedOverrides) { _blockedOverride.Add(k); }
        _allowedInherited = Set(doc, "allowedInheritedOverrideOnlyKeys");
        _blockedPrefixes = (doc.StrArray("blockedPrefixes") ?? new List<string>()).ToArray();
        _blockedOverridePrefixes = (doc.StrArray("blockedOverridePrefixes") ?? new List<string>()).ToArray();
    }

    /// <summary>The policy shipped with the engine.</summary>
    public static EnvPolicy Default { get; } = Load();

    private static EnvPolicy Load()
    {
        using Stream s = typeof(EnvPolicy).Assembly.GetManifestResourceStream("OpenClaw.Node.host-env-security-policy.json")
            ?? throw new InvalidDataException("The embedded host-env-security-policy.json is missing.");
        using var reader = new StreamReader(s);
        return new EnvPolicy((JsonObject)JsonNode.Parse(reader.ReadToEnd())!);
    }

    /// <summary>Checks request overrides; any blocked or invalid key fails the whole request.</summary>
    public EnvCheck CheckOverrides(IReadOnlyDictionary<string, string> overrides, bool windows)
    {
        var blocked = new List<string>();
        var invalid = new List<string>();
        var accepted = new Dictionary<string, string>(windows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var kv in overrides)
        {
            string key = kv.Key;
            string value = kv.Value;
            if (!(windows ? WindowsName : PortableName).IsMatch(key) || value.IndexOf('\0') >= 0)
            {
                invalid.Add(Printable(key));
                continue;
            }
            string upper = key.ToUpperInvariant();
            if ((upper == "PAGER" || upper == "GIT_PAGER") && (value.Length == 0 || value == "cat"))
            {
                accepted[key] = string.Empty;
                continue;
            }
            if (IsBlockedOverride(upper)) { blocked.Add(key); continue; }
            accepted[key] = value;
        }
        return new EnvCheck(blocked, invalid, accepted);
    }

    private bool IsBlockedOverride(string upper) =>
        _blockedEverywhere.Contains(upper) || _blockedOverride.Contains(upper)
        || _blockedPrefixes.Any(p => upper.StartsWith(p, StringComparison.OrdinalIgnoreCase))
        || _blockedOverridePrefixes.Any(p => upper.StartsWith(p, StringComparison.OrdinalIgnoreCase))
        || CargoTargetRunner.IsMatch(upper);

    /// <summary>True when the node's own environment variable may be passed on to a child.</summary>
    public bool KeepInherited(string key)
    {
        string upper = key.ToUpperInvariant();
        if (_blockedEverywhere.Contains(upper)) { return false; }
        if (_blockedPrefixes.Any(p => upper.StartsWith(p, StringComparison.OrdinalIgnoreCase))) { return false; }
        if (_blockedOverride.Contains(upper) && !_allowedInherited.Contains(upper) && !ExtraBlockedOverrides.Contains(upper)) { return false; }
        return true;
    }

    /// <summary>Overrides that survive for a shell-wrapper invocation: TERM, LANG, LC_*, COLORTERM, NO_COLOR, FORCE_COLOR.</summary>
    public static bool AllowedForShellWrapper(string key)
    {
        string upper = key.ToUpperInvariant();
        return WrapperAllowed.Contains(upper) || upper.StartsWith("LC_", StringComparison.Ordinal);
    }

    private static string Printable(string key)
    {
        var chars = key.Select(c => char.IsControl(c) ? '?' : c).ToArray();
        string s = new(chars);
        return s.Length > 64 ? s.Substring(0, 64) + "…" : s;
    }
}
