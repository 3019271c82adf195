using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// A reader for the data language of a .psd1 manifest, enough for OpenClaw.psd1 without PowerShell: hashtables
/// <c>@{ k = v; ... }</c>, arrays <c>@( ... )</c> and comma lists, single- and double-quoted strings (no expansion),
/// single-quoted here-strings, numbers, <c>$true</c>/<c>$false</c>/<c>$null</c>, and <c>#</c> / <c>&lt;# #&gt;</c> comments.
/// Hashtables become case-insensitive dictionaries, arrays <see cref="List{T}"/> of object.
/// </summary>
internal sealed class PowerShellDataFile
{
    private readonly string _text;
    private int _pos;

    private PowerShellDataFile(string text) => _text = text;

    public static Dictionary<string, object?> Parse(string text)
    {
        var reader = new PowerShellDataFile(text);
        reader.SkipTrivia();
        if (!reader.TryConsume("@{")) { throw reader.Error("the file must hold one hashtable '@{ ... }'"); }
        Dictionary<string, object?> result = reader.ReadHashtableBody();
        reader.SkipTrivia();
        if (reader._pos != text.Length) { throw reader.Error("unexpected text after the hashtable"); }
        return result;
    }

    /// <summary>The value of <paramref name="key"/> as a list of strings (a single string gives a one-element list); null when the key is absent.</summary>
    public static IReadOnlyList<string>? Strings(IReadOnlyDictionary<string, object?> table, string key)
    {
        if (!table.TryGetValue(key, out object? value)) { return null; }
        var list = new List<string>();
        switch (value)
        {
            case null: break;
            case string s: list.Add(s); break;
            case List<object?> items:
                foreach (object? item in items) { list.Add(item as string ?? throw new FormatException($"'{key}' holds a value that is not a string: {item}.")); }
                break;
            default: throw new FormatException($"'{key}' is not a string or an array of strings.");
        }
        return list;
    }

    private Dictionary<string, object?> ReadHashtableBody()
    {
        var table = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipTrivia();
            if (TryConsume("}")) { return table; }
            if (TryConsume(";")) { continue; }
            string key = Peek() is '\'' or '"' ? ReadString() : ReadBareword();
            if (key.Length == 0) { throw Error("expected a key or '}'"); }
            SkipTrivia();
            if (!TryConsume("=")) { throw Error($"expected '=' after key '{key}'"); }
            if (table.ContainsKey(key)) { throw Error($"duplicate key '{key}'"); }
            table[key] = ReadValueOrList();
        }
    }

    /// <summary>A value, or a comma list of values (an array without @( )).</summary>
    private object? ReadValueOrList()
    {
        object? first = ReadValue();
        SkipTrivia(newlines: false);
        if (Peek() != ',') { return first; }
        var list = new List<object?> { first };
        while (TryConsumeAfterTrivia(","))
        {
            SkipTrivia();
            list.Add(ReadValue());
            SkipTrivia(newlines: false);
        }
        return list;
    }

    private object? ReadValue()
    {
        SkipTrivia();
        if (TryConsume("@{")) { return ReadHashtableBody(); }
        if (TryConsume("@(")) { return ReadArrayBody(); }
        if (_text.AsSpan(_pos).StartsWith("@'", StringComparison.Ordinal) || _text.AsSpan(_pos).StartsWith("@\"", StringComparison.Ordinal)) { return ReadHereString(); }
        if (Peek() is '\'' or '"') { return ReadString(); }
        if (Peek() == '$')
        {
            _pos++;
            string name = ReadBareword();
            return name.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                "null" => null,
                _ => throw Error($"variable '${name}' is not allowed in a data file"),
            };
        }
        string word = ReadBareword();
        if (word.Length == 0) { throw Error("expected a value"); }
        if (long.TryParse(word, NumberStyles.Integer, CultureInfo.InvariantCulture, out long number)) { return number; }
        if (double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out double real)) { return real; }
        return word;
    }

    private List<object?> ReadArrayBody()
    {
        var items = new List<object?>();
        while (true)
        {
            SkipTrivia();
            if (TryConsume(")")) { return items; }
            if (TryConsume(",") || TryConsume(";")) { continue; }
            items.Add(ReadValue());
        }
    }

    private string ReadString()
    {
        char quote = _text[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) { throw Error("unterminated string"); }
            char c = _text[_pos++];
            if (c == quote)
            {
                if (Peek() == quote) { sb.Append(quote); _pos++; continue; }   // '' or "" inside the string
                return sb.ToString();
            }
            if (quote == '"' && c == '`' && _pos < _text.Length) { sb.Append(_text[_pos++]); continue; }
            sb.Append(c);
        }
    }

    private string ReadHereString()
    {
        char quote = _text[_pos + 1];
        _pos += 2;
        int lineEnd = _text.IndexOf('\n', _pos);
        if (lineEnd < 0 || _text.Substring(_pos, lineEnd - _pos).Trim().Length != 0) { throw Error("a here-string must start at the end of a line"); }
        string terminator = "\n" + quote + "@";
        int end = _text.IndexOf(terminator, lineEnd, StringComparison.Ordinal);
        if (end < 0) { throw Error("unterminated here-string"); }
        string body = _text.Substring(lineEnd + 1, end - lineEnd - 1).TrimEnd('\r');
        _pos = end + terminator.Length;
        return body;
    }

    private string ReadBareword()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.' or '-' or '*')) { _pos++; }
        return _text.Substring(start, _pos - start);
    }

    private void SkipTrivia(bool newlines = true)
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '\n' && !newlines) { return; }
            if (char.IsWhiteSpace(c)) { _pos++; }
            else if (c == '#') { while (_pos < _text.Length && _text[_pos] != '\n') { _pos++; } }
            else if (c == '<' && Peek(1) == '#')
            {
                int end = _text.IndexOf("#>", _pos + 2, StringComparison.Ordinal);
                if (end < 0) { throw Error("unterminated block comment"); }
                _pos = end + 2;
            }
            else { return; }
        }
    }

    private bool TryConsumeAfterTrivia(string token)
    {
        SkipTrivia(newlines: false);
        return TryConsume(token);
    }

    private bool TryConsume(string token)
    {
        if (!_text.AsSpan(_pos).StartsWith(token, StringComparison.Ordinal)) { return false; }
        _pos += token.Length;
        return true;
    }

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private FormatException Error(string what)
    {
        int line = 1;
        for (int i = 0; i < _pos && i < _text.Length; i++) { if (_text[i] == '\n') { line++; } }
        return new FormatException($"Line {line}: {what}.");
    }
}
