using System.Globalization;
using System.Text;

namespace OpenClaw.Node.Internal;

/// <summary>
/// Makes untrusted text (command lines from the gateway) safe to show: control characters, bidirectional overrides,
/// zero-width and other invisible format characters are written as <c>\u{XXXX}</c>, so a log line or a denial message
/// shows what will really run (users.md AP-11).
/// </summary>
internal static class SafeText
{
    public static string Escape(string text)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            UnicodeCategory cat = CharUnicodeInfo.GetUnicodeCategory(c);
            bool hide = c != '\t' && cat is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            if (hide)
            {
                sb ??= new StringBuilder(text, 0, i, text.Length + 16);
                sb.Append("\\u{").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('}');
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? text;
    }

    private static readonly System.Text.RegularExpressions.Regex Secretish = new(
        @"(?i)((?:authorization|proxy-authorization)\s*:\s*(?:bearer|basic|token)?\s*|(?:^|[\s""'-])(?:[A-Za-z0-9_]*(?:token|secret|passw(?:or)?d|passwd|api[_-]?key|access[_-]?key|private[_-]?key|credential)s?)\s*[=:]\s*|--?(?:token|secret|password|passwd|api-key|apikey|access-key)(?:\s+|=))([^\s""']+)",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant, System.TimeSpan.FromMilliseconds(100));

    /// <summary>
    /// Masks values that look like secrets (<c>TOKEN=…</c>, <c>--password …</c>, <c>Authorization: Bearer …</c>) for log lines
    /// (users.md SE-03). What is sent to the gateway is not changed.
    /// </summary>
    public static string Redact(string text)
    {
        try { return Secretish.Replace(text, m => m.Groups[1].Value + "***"); }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException) { return "(command text withheld)"; }
    }

    /// <summary>True when the text mixes Latin letters with Cyrillic or Greek ones (a look-alike risk).</summary>
    public static bool HasMixedScripts(string text)
    {
        bool latin = false, other = false;
        foreach (char c in text)
        {
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) { latin = true; }
            else if ((c >= '\u0370' && c <= '\u03FF') || (c >= '\u0400' && c <= '\u04FF')) { other = true; }
        }
        return latin && other;
    }
}
