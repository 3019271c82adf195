using System;
using System.Text;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// Lines for the systemd journal: when stderr is connected to journald (<c>JOURNAL_STREAM</c> is set), each line is
/// prefixed with its syslog priority in angle brackets (<c>&lt;7&gt;</c> debug, <c>&lt;6&gt;</c> info,
/// <c>&lt;4&gt;</c> warning, <c>&lt;3&gt;</c> error), which journald parses into PRIORITY (sd-daemon(3)); no timestamp,
/// journald adds its own. A multi-line message gets the prefix on every line so no continuation line is mislabelled.
/// </summary>
public static class JournalFormat
{
    /// <summary>True when this process's stderr goes to the journal (systemd sets <c>JOURNAL_STREAM</c>).</summary>
    public static bool IsJournalStream => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));

    /// <summary>The syslog priority of a level.</summary>
    public static int Priority(NodeLogLevel level) => level switch
    {
        NodeLogLevel.Debug => 7,
        NodeLogLevel.Info => 6,
        NodeLogLevel.Warning => 4,
        _ => 3,
    };

    /// <summary>The message as journal lines (joined with <c>\n</c>, no trailing newline).</summary>
    public static string Format(NodeLogLevel level, string message)
    {
        string prefix = "<" + Priority(level).ToString(System.Globalization.CultureInfo.InvariantCulture) + ">";
        var sb = new StringBuilder();
        string[] lines = message.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0) { sb.Append('\n'); }
            sb.Append(prefix).Append(lines[i]);
        }
        return sb.ToString();
    }
}
