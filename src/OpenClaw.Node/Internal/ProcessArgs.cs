using System.Collections.Generic;
using System.Text;

namespace OpenClaw.Node.Internal;

/// <summary>
/// Quotes an argv list into one command-line string that the runtime splits back into exactly the same list
/// (Windows CommandLineToArgvW rules, which .NET also uses to split <c>ProcessStartInfo.Arguments</c> on Unix).
/// Only used where <c>ProcessStartInfo.ArgumentList</c> does not exist (netstandard2.0); never involves a shell.
/// </summary>
internal static class ProcessArgs
{
    public static string Quote(IEnumerable<string> args)
    {
        var sb = new StringBuilder();
        foreach (string arg in args)
        {
            if (sb.Length > 0) { sb.Append(' '); }
            AppendQuoted(sb, arg);
        }
        return sb.ToString();
    }

    private static void AppendQuoted(StringBuilder sb, string arg)
    {
        bool needsQuotes = arg.Length == 0;
        foreach (char c in arg)
        {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '"') { needsQuotes = true; break; }
        }
        if (!needsQuotes) { sb.Append(arg); return; }
        sb.Append('"');
        int backslashes = 0;
        foreach (char c in arg)
        {
            if (c == '\\') { backslashes++; continue; }
            if (c == '"')
            {
                sb.Append('\\', backslashes * 2 + 1);
                sb.Append('"');
            }
            else
            {
                sb.Append('\\', backslashes);
                sb.Append(c);
            }
            backslashes = 0;
        }
        sb.Append('\\', backslashes * 2);
        sb.Append('"');
    }
}
