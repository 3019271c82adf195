using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using OpenClaw.Node.Hosting;

namespace OpenClaw.Node.Service;

/// <summary>
/// The systemd unit <c>openclaw-node.service</c> and its environment file, as pure text (systemd.service(5),
/// systemd.exec(5), systemd.syntax(7)). The token lives only in the environment file.
/// </summary>
public static class SystemdUnit
{
    /// <summary>The unit name.</summary>
    public const string UnitName = "openclaw-node.service";

    /// <summary>Name of the environment file in the state directory that holds <c>OPENCLAW_GATEWAY_TOKEN</c> (mode 0600).</summary>
    public const string EnvironmentFileName = "node.systemd.env";

    /// <summary>Restart delay in seconds (first restart; with back-off it grows to <see cref="RestartMaxDelaySeconds"/>).</summary>
    public const int RestartSeconds = 5;

    /// <summary>Longest restart delay with back-off (systemd 254+).</summary>
    public const int RestartMaxDelaySeconds = 300;

    /// <summary>
    /// Renders the unit. User scope: <c>WantedBy=default.target</c>; system scope: <c>User=</c> and
    /// <c>WantedBy=multi-user.target</c>. <c>Restart=always</c> with <c>RestartPreventExitStatus=2 77 78</c>
    /// (authentication and configuration failures, see <see cref="NodeHostExitCodes"/>: restarting cannot fix them),
    /// a start limit of 10 starts in 10 minutes, and exponential back-off from 5 s to 5 min on systemd 254+.
    /// </summary>
    /// <param name="options">Validated options; <see cref="NodeServiceOptions.ServiceAccount"/> is required for system scope.</param>
    /// <param name="environmentFile">Full path of the environment file (see <see cref="EnvironmentFileName"/>).</param>
    public static string Render(NodeServiceOptions options, string environmentFile)
    {
        options.Validate();
        if (options.Scope == NodeServiceScope.System && string.IsNullOrWhiteSpace(options.ServiceAccount))
        {
            throw new ArgumentException("A system unit needs the user account to run the node host as (User=). Give the account name.", nameof(options));
        }
        var args = new List<string> { options.ExecutablePath };
        args.AddRange(options.HostArguments(tokenFile: null));
        var sb = new StringBuilder();
        sb.Append("# OpenClaw node host, written by Install-OpenClawNode / openclaw-node install. The token is in the EnvironmentFile (0600), never here.\n");
        sb.Append("[Unit]\n");
        sb.Append("Description=OpenClaw Node Host\n");
        sb.Append("After=network-online.target\n");
        sb.Append("Wants=network-online.target\n");
        sb.Append("StartLimitIntervalSec=600\n");
        sb.Append("StartLimitBurst=10\n");
        sb.Append('\n');
        sb.Append("[Service]\n");
        // Type=exec (systemd 240+) makes "systemctl start" fail when the executable cannot be started; older or unknown: simple.
        sb.Append(options.SystemdVersion is int tv && tv >= 240 ? "Type=exec\n" : "Type=simple\n");
        sb.Append("ExecStart=").Append(QuoteCommandLine(args)).Append('\n');
        sb.Append("EnvironmentFile=-").Append(EscapeSpecifiers(environmentFile)).Append('\n');
        if (options.Scope == NodeServiceScope.System) { sb.Append("User=").Append(EscapeSpecifiers(options.ServiceAccount!)).Append('\n'); }
        sb.Append("Restart=always\n");
        sb.Append("RestartSec=").Append(RestartSeconds.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (options.SystemdVersion is int v && v >= 254)
        {
            sb.Append("RestartSteps=10\n");
            sb.Append("RestartMaxDelaySec=").Append(RestartMaxDelaySeconds.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        // 2 (bad command line), 77 (credentials refused) and 78 (configuration/state unusable) never fix themselves.
        sb.Append("RestartPreventExitStatus=")
          .Append(NodeHostExitCodes.Usage.ToString(CultureInfo.InvariantCulture)).Append(' ')
          .Append(NodeHostExitCodes.AuthenticationFailed.ToString(CultureInfo.InvariantCulture)).Append(' ')
          .Append(NodeHostExitCodes.Configuration.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("TimeoutStopSec=30\n");
        sb.Append("KillMode=mixed\n");
        sb.Append("UMask=0077\n");
        sb.Append('\n');
        sb.Append("[Install]\n");
        sb.Append("WantedBy=").Append(options.Scope == NodeServiceScope.System ? "multi-user.target" : "default.target").Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// The environment file: a comment and <c>OPENCLAW_GATEWAY_TOKEN=…</c>. The value is written bare when it holds only
    /// <c>[A-Za-z0-9._~+/=:-]</c>, else in double quotes with <c>\</c>, <c>"</c>, <c>$</c> and <c>`</c> escaped.
    /// </summary>
    /// <exception cref="ArgumentException">The token is empty or holds control characters (line breaks).</exception>
    public static string RenderEnvironmentFile(string token)
    {
        if (string.IsNullOrEmpty(token) || NodeServiceOptions.HasControl(token))
        {
            throw new ArgumentException("The gateway token must be non-empty and on one line.", nameof(token));
        }
        bool bare = true;
        foreach (char c in token)
        {
            if (!(char.IsLetterOrDigit(c) && c < 128) && "._~+/=:-".IndexOf(c) < 0) { bare = false; break; }
        }
        string value = bare ? token : "\"" + token.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("$", "\\$").Replace("`", "\\`") + "\"";
        return "# OpenClaw node host secrets (owner-only). Read by systemd for " + UnitName + "; never copy into the unit.\n"
            + "OPENCLAW_GATEWAY_TOKEN=" + value + "\n";
    }

    /// <summary>
    /// Quotes an argv list for <c>ExecStart=</c>: words with whitespace, quotes, backslashes or nothing in them go in double
    /// quotes with C escapes; <c>%</c> becomes <c>%%</c> (specifiers) and <c>$</c> becomes <c>$$</c> (variable expansion);
    /// a lone <c>;</c> becomes <c>\;</c>.
    /// </summary>
    public static string QuoteCommandLine(IEnumerable<string> args)
    {
        var sb = new StringBuilder();
        foreach (string a in args)
        {
            if (sb.Length > 0) { sb.Append(' '); }
            sb.Append(QuoteWord(a));
        }
        return sb.ToString();
    }

    private static string QuoteWord(string a)
    {
        if (a == ";") { return "\\;"; }
        bool quote = a.Length == 0;
        foreach (char c in a)
        {
            if (char.IsWhiteSpace(c) || c == '"' || c == '\'' || c == '\\') { quote = true; break; }
        }
        string w = a.Replace("%", "%%").Replace("$", "$$");
        if (!quote) { return w; }
        return "\"" + w.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    private static string EscapeSpecifiers(string s) => s.Replace("%", "%%");

    /// <summary>
    /// Splits an <c>ExecStart=</c> value back into argv the way systemd does for the quoting <see cref="QuoteCommandLine"/>
    /// produces (double/single quotes, C escapes, <c>%%</c>, <c>$$</c>, <c>\;</c>).
    /// </summary>
    public static IReadOnlyList<string> SplitCommandLine(string value)
    {
        var words = new List<string>();
        var cur = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (quote == '\0' && char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(cur.ToString()); cur.Clear(); inWord = false; }
                continue;
            }
            inWord = true;
            if (c == '\\' && i + 1 < value.Length)
            {
                char n = value[++i];
                cur.Append(n switch { 'n' => '\n', 't' => '\t', _ => n });
                continue;
            }
            if ((c == '"' || c == '\'') && (quote == '\0' || quote == c))
            {
                quote = quote == '\0' ? c : '\0';
                continue;
            }
            if ((c == '%' || c == '$') && i + 1 < value.Length && value[i + 1] == c) { cur.Append(c); i++; continue; }
            cur.Append(c);
        }
        if (inWord) { words.Add(cur.ToString()); }
        return words;
    }

    /// <summary>The value of the first <c>Key=</c> line of a unit or environment file, or null.</summary>
    public static string? ReadSetting(string text, string key)
    {
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith(key + "=", StringComparison.Ordinal)) { return line.Substring(key.Length + 1); }
        }
        return null;
    }

    /// <summary>Reads <c>KEY=value</c> pairs of an environment file written by <see cref="RenderEnvironmentFile"/> (comments skipped, quotes removed).</summary>
    public static IReadOnlyDictionary<string, string> ParseEnvironmentFile(string text)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#' || line[0] == ';') { continue; }
            int eq = line.IndexOf('=');
            if (eq <= 0) { continue; }
            string v = line.Substring(eq + 1);
            if (v.Length >= 2 && v[0] == '"' && v[v.Length - 1] == '"')
            {
                var sb = new StringBuilder();
                for (int i = 1; i < v.Length - 1; i++)
                {
                    if (v[i] == '\\' && i + 1 < v.Length - 1) { i++; }
                    sb.Append(v[i]);
                }
                v = sb.ToString();
            }
            d[line.Substring(0, eq)] = v;
        }
        return d;
    }
}
