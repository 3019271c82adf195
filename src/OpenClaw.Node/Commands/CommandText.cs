using System.Collections.Generic;
using System.Text;

namespace OpenClaw.Node.Commands;

/// <summary>
/// Canonical display text of an argv (spec §9.7): arguments joined by single spaces; an empty argument becomes
/// <c>""</c>; an argument containing whitespace or <c>"</c> is wrapped in double quotes with inner quotes escaped as <c>\"</c>.
/// </summary>
internal static class CommandText
{
    public static string Format(IReadOnlyList<string> argv)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < argv.Count; i++)
        {
            if (i > 0) { sb.Append(' '); }
            string a = argv[i];
            if (a.Length == 0) { sb.Append("\"\""); continue; }
            bool quote = false;
            foreach (char c in a) { if (char.IsWhiteSpace(c) || c == '"') { quote = true; break; } }
            if (quote) { sb.Append('"').Append(a.Replace("\"", "\\\"")).Append('"'); }
            else { sb.Append(a); }
        }
        return sb.ToString();
    }
}
