using System;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenClaw.Node.Browser;

/// <summary>
/// A small, strict JSON5 reader (the format of OpenClaw's <c>openclaw.json</c>) producing <see cref="JsonNode"/>s.
/// Accepts what JSON5 adds to JSON: <c>//</c> and <c>/* */</c> comments, trailing commas, unquoted (identifier)
/// keys, single-quoted strings, escaped line breaks in strings, hexadecimal numbers, leading/trailing decimal points,
/// a leading <c>+</c>, <c>Infinity</c> and <c>NaN</c> (read as null: JSON has no such numbers). Anything else is
/// rejected with a <see cref="FormatException"/> whose message names the line and column.
/// </summary>
internal sealed class Json5Reader
{
    private const int MaxDepth = 64;
    private readonly string _s;
    private int _i;

    private Json5Reader(string text) => _s = text;

    /// <summary>Parses one JSON5 value (the whole text).</summary>
    /// <exception cref="FormatException">The text is not JSON5; the message reads "line L, column C: what".</exception>
    public static JsonNode? Parse(string text)
    {
        var r = new Json5Reader(text);
        if (r._s.Length > 0 && r._s[0] == '\uFEFF') { r._i = 1; }
        r.SkipTrivia();
        if (r._i >= r._s.Length) { throw r.Error("the file is empty; it needs one JSON5 object such as {}"); }
        JsonNode? value = r.ReadValue(0);
        r.SkipTrivia();
        if (r._i < r._s.Length) { throw r.Error($"unexpected '{r._s[r._i]}' after the end of the value"); }
        return value;
    }

    private FormatException Error(string what, int? at = null)
    {
        int pos = Math.Min(at ?? _i, _s.Length);
        int line = 1, col = 1;
        for (int k = 0; k < pos; k++)
        {
            if (_s[k] == '\n') { line++; col = 1; }
            else { col++; }
        }
        return new FormatException($"line {line}, column {col}: {what}");
    }

    private void SkipTrivia()
    {
        while (_i < _s.Length)
        {
            char c = _s[_i];
            if (c is ' ' or '\t' or '\r' or '\n' or '\v' or '\f' or '\u00A0' or '\uFEFF' or '\u2028' or '\u2029') { _i++; continue; }
            if (c == '/' && _i + 1 < _s.Length && _s[_i + 1] == '/')
            {
                while (_i < _s.Length && _s[_i] != '\n') { _i++; }
                continue;
            }
            if (c == '/' && _i + 1 < _s.Length && _s[_i + 1] == '*')
            {
                int start = _i;
                int end = _s.IndexOf("*/", _i + 2, StringComparison.Ordinal);
                if (end < 0) { throw Error("unterminated /* comment", start); }
                _i = end + 2;
                continue;
            }
            break;
        }
    }

    private JsonNode? ReadValue(int depth)
    {
        if (depth > MaxDepth) { throw Error("nested too deeply"); }
        if (_i >= _s.Length) { throw Error("unexpected end of file; a value is missing"); }
        char c = _s[_i];
        switch (c)
        {
            case '{': return ReadObject(depth);
            case '[': return ReadArray(depth);
            case '"':
            case '\'': return JsonValue.Create(ReadString());
        }
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) { return ReadNumber(); }
        int start = _i;
        string word = ReadIdentifier();
        switch (word)
        {
            case "true": return JsonValue.Create(true);
            case "false": return JsonValue.Create(false);
            case "null": return null;
            case "Infinity":
            case "NaN": return null;
            case "": throw Error($"unexpected '{c}'; expected a value", start);
            default: throw Error($"unexpected word '{word}'; strings need quotes", start);
        }
    }

    private JsonObject ReadObject(int depth)
    {
        var obj = new JsonObject();
        _i++;
        while (true)
        {
            SkipTrivia();
            if (_i >= _s.Length) { throw Error("unexpected end of file inside an object; a '}' is missing"); }
            if (_s[_i] == '}') { _i++; return obj; }
            int keyAt = _i;
            string key = _s[_i] is '"' or '\'' ? ReadString() : ReadIdentifier();
            if (key.Length == 0 && _s[keyAt] is not ('"' or '\'')) { throw Error($"unexpected '{_s[_i]}'; expected a property name", keyAt); }
            SkipTrivia();
            if (_i >= _s.Length || _s[_i] != ':') { throw Error($"expected ':' after the property name '{key}'"); }
            _i++;
            SkipTrivia();
            JsonNode? value = ReadValue(depth + 1);
            if (obj.ContainsKey(key)) { throw Error($"the property '{key}' appears twice", keyAt); }
            obj[key] = value;
            SkipTrivia();
            if (_i >= _s.Length) { throw Error("unexpected end of file inside an object; a '}' is missing"); }
            if (_s[_i] == ',') { _i++; continue; }
            if (_s[_i] == '}') { _i++; return obj; }
            throw Error($"expected ',' or '}}' but found '{_s[_i]}'");
        }
    }

    private JsonArray ReadArray(int depth)
    {
        var arr = new JsonArray();
        _i++;
        while (true)
        {
            SkipTrivia();
            if (_i >= _s.Length) { throw Error("unexpected end of file inside an array; a ']' is missing"); }
            if (_s[_i] == ']') { _i++; return arr; }
            arr.Add(ReadValue(depth + 1));
            SkipTrivia();
            if (_i >= _s.Length) { throw Error("unexpected end of file inside an array; a ']' is missing"); }
            if (_s[_i] == ',') { _i++; continue; }
            if (_s[_i] == ']') { _i++; return arr; }
            throw Error($"expected ',' or ']' but found '{_s[_i]}'");
        }
    }

    private string ReadIdentifier()
    {
        int start = _i;
        while (_i < _s.Length && (char.IsLetterOrDigit(_s[_i]) || _s[_i] is '_' or '$'))
        {
            if (_i == start && char.IsDigit(_s[_i])) { break; }
            _i++;
        }
        return _s.Substring(start, _i - start);
    }

    private string ReadString()
    {
        char quote = _s[_i];
        int start = _i;
        _i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_i >= _s.Length) { throw Error("unterminated string", start); }
            char c = _s[_i++];
            if (c == quote) { return sb.ToString(); }
            if (c is '\n' or '\r') { throw Error("line break inside a string (escape it with a backslash)", _i - 1); }
            if (c != '\\') { sb.Append(c); continue; }
            if (_i >= _s.Length) { throw Error("unterminated string", start); }
            char e = _s[_i++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '0': sb.Append('\0'); break;
                case '\r': if (_i < _s.Length && _s[_i] == '\n') { _i++; } break;
                case '\n': case '\u2028': case '\u2029': break;
                case 'x': sb.Append((char)Hex(2)); break;
                case 'u': sb.Append((char)Hex(4)); break;
                default: sb.Append(e); break;
            }
        }
    }

    private int Hex(int digits)
    {
        if (_i + digits > _s.Length || !int.TryParse(_s.Substring(_i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
        {
            throw Error("bad escape sequence in a string");
        }
        _i += digits;
        return v;
    }

    private JsonNode? ReadNumber()
    {
        int start = _i;
        bool negative = false;
        if (_s[_i] is '+' or '-') { negative = _s[_i] == '-'; _i++; }
        if (_i < _s.Length && char.IsLetter(_s[_i]))
        {
            string word = ReadIdentifier();
            if (word is "Infinity" or "NaN") { return null; }
            throw Error($"bad number '{_s.Substring(start, _i - start)}'", start);
        }
        if (_i + 1 < _s.Length && _s[_i] == '0' && _s[_i + 1] is 'x' or 'X')
        {
            _i += 2;
            int hs = _i;
            while (_i < _s.Length && Uri.IsHexDigit(_s[_i])) { _i++; }
            if (_i == hs || !long.TryParse(_s.Substring(hs, _i - hs), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long h))
            {
                throw Error("bad hexadecimal number", start);
            }
            return JsonValue.Create(negative ? -h : h);
        }
        int ds = _i;
        while (_i < _s.Length && (char.IsDigit(_s[_i]) || _s[_i] is '.' or 'e' or 'E' || (_s[_i] is '+' or '-' && _s[_i - 1] is 'e' or 'E'))) { _i++; }
        string text = _s.Substring(ds, _i - ds);
        if (text.Length == 0 || text == "." || !double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double d))
        {
            throw Error($"bad number '{_s.Substring(start, _i - start)}'", start);
        }
        if (negative) { d = -d; }
        if (text.IndexOfAny(new[] { '.', 'e', 'E' }) < 0 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long l)) { return JsonValue.Create(negative ? -l : l); }
        return JsonValue.Create(d);
    }
}
