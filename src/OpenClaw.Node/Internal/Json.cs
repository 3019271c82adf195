using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenClaw.Node.Internal;

/// <summary>Small, AOT-safe helpers over <see cref="JsonNode"/> (no reflection-based serialisation anywhere).</summary>
internal static class Json
{
    /// <summary>Compact output without HTML-escaping (frames and logs are not HTML).</summary>
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses and fully materialises <paramref name="text"/>, or null when it is not valid JSON (see <see cref="Parse(string, JsonDocumentOptions)"/>).</summary>
    public static JsonNode? ParseOrNull(string text)
    {
        try { return Parse(text); }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// Parses <paramref name="text"/> and materialises every object and array at once, so that a malformed document fails
    /// here with a <see cref="JsonException"/> instead of later, on first access, with another exception. In particular an
    /// object with the same property name twice (which <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/>
    /// accepts and then throws <see cref="ArgumentException"/> for when read) is rejected. Nesting is limited by
    /// <paramref name="options"/> (default 64 levels).
    /// </summary>
    /// <exception cref="JsonException">Not valid JSON, nested too deeply, or a duplicate property name.</exception>
    public static JsonNode? Parse(string text, JsonDocumentOptions options = default)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(text, documentOptions: options); }
        catch (ArgumentException ex) { throw new JsonException("the text cannot be read as JSON: " + ex.Message, ex); }
        Materialise(node);
        return node;
    }

    /// <summary>As <see cref="Parse(string, JsonDocumentOptions)"/>, from UTF-8 bytes (invalid UTF-8 is a <see cref="JsonException"/>).</summary>
    /// <exception cref="JsonException">Not valid UTF-8 JSON, nested too deeply, or a duplicate property name.</exception>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, JsonDocumentOptions options = default)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(utf8, documentOptions: options); }
        catch (ArgumentException ex) { throw new JsonException("the bytes cannot be read as JSON: " + ex.Message, ex); }
        Materialise(node);
        return node;
    }

    private static void Materialise(JsonNode? node)
    {
        try { Walk(node); }
        catch (ArgumentException ex) { throw new JsonException("a JSON object has the same property name twice", ex); }
        catch (InvalidOperationException ex) { throw new JsonException("the JSON cannot be read (" + ex.Message.TrimEnd('.') + ")", ex); }
    }

    private static void Walk(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (var kv in obj) { Walk(kv.Value); }
        }
        else if (node is JsonArray arr)
        {
            foreach (JsonNode? item in arr) { Walk(item); }
        }
        else if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            // Strings are transcoded lazily: invalid UTF-8 would otherwise surface on first read, far from the parser.
            _ = v.GetValue<string>();
        }
    }

    public static string? Str(this JsonNode? node, string name)
    {
        if (node is JsonObject obj && obj.TryGetPropertyValue(name, out JsonNode? v) && v is JsonValue val
            && val.GetValueKind() == JsonValueKind.String)
        {
            return val.GetValue<string>();
        }
        return null;
    }

    public static long? Long(this JsonNode? node, string name)
    {
        if (node is JsonObject obj && obj.TryGetPropertyValue(name, out JsonNode? v) && v is JsonValue val
            && val.GetValueKind() == JsonValueKind.Number)
        {
            if (val.TryGetValue(out long l)) { return l; }
            if (val.TryGetValue(out int i)) { return i; }
            if (val.TryGetValue(out double d) && Math.Abs(d) <= 9007199254740991d && Math.Floor(d) == d) { return (long)d; }
        }
        return null;
    }

    public static bool? Bool(this JsonNode? node, string name)
    {
        if (node is JsonObject obj && obj.TryGetPropertyValue(name, out JsonNode? v) && v is JsonValue val)
        {
            JsonValueKind kind = val.GetValueKind();
            if (kind == JsonValueKind.True) { return true; }
            if (kind == JsonValueKind.False) { return false; }
        }
        return null;
    }

    public static JsonObject? Obj(this JsonNode? node, string name) =>
        node is JsonObject obj && obj.TryGetPropertyValue(name, out JsonNode? v) ? v as JsonObject : null;

    public static JsonArray? Arr(this JsonNode? node, string name) =>
        node is JsonObject obj && obj.TryGetPropertyValue(name, out JsonNode? v) ? v as JsonArray : null;

    /// <summary>A JSON array of strings, or null when absent or when any element is not a string.</summary>
    public static List<string>? StrArray(this JsonNode? node, string name)
    {
        JsonArray? arr = node.Arr(name);
        if (arr is null) { return null; }
        var list = new List<string>(arr.Count);
        foreach (JsonNode? item in arr)
        {
            if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String) { list.Add(v.GetValue<string>()); }
            else { return null; }
        }
        return list;
    }

    public static JsonArray ToArray(IEnumerable<string> items)
    {
        var arr = new JsonArray();
        foreach (string s in items) { arr.Add((JsonNode)JsonValue.Create(s)); }
        return arr;
    }

    public static string Serialize(JsonNode node) => node.ToJsonString(Compact);

    public static string Indented(JsonNode node) => node.ToJsonString(Pretty);
}
