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

    public static JsonNode? ParseOrNull(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return null; }
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
