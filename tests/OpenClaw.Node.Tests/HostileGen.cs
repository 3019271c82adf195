using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace OpenClaw.Node.Tests;

/// <summary>FsCheck generators for hostile input: random JSON trees, wrong-typed fields, broken UTF-8, deep nesting.</summary>
internal static class HostileGen
{
    /// <summary>Any UTF-16 code unit, lone surrogates included.</summary>
    public static readonly Gen<char> AnyChar = Gen.Choose(0, 0xFFFF).Select(i => (char)i);

    /// <summary>Mostly printable ASCII, with control characters, NUL, non-ASCII and lone surrogates mixed in.</summary>
    public static readonly Gen<char> MixedChar = Gen.Frequency(
        (10, Gen.Choose(0x20, 0x7E).Select(i => (char)i)),
        (2, Gen.Choose(0, 0x1F).Select(i => (char)i)),
        (2, Gen.Choose(0x80, 0x2FFF).Select(i => (char)i)),
        (1, Gen.Elements('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u202E', '\uFEFF', '\uFFFF')));

    public static readonly Gen<string> Text = Gen.Sized(n => Gen.Choose(0, Math.Max(1, n)).SelectMany(len => Gen.ArrayOf(MixedChar, len))).Select(a => new string(a));

    public static readonly Gen<string> Ascii = Gen.ArrayOf(Gen.Choose(0x20, 0x7E).Select(i => (char)i)).Select(a => new string(a));

    private static readonly Gen<JsonNode?> Leaf = Gen.OneOf(
        Gen.Constant<JsonNode?>(null),
        Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Choose(int.MinValue, int.MaxValue).Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Elements(long.MaxValue, long.MinValue, 0L, -1L, 9007199254740993L).Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Elements(0.5, -1e308, 1e308, 3.0, double.Epsilon).Select(d => (JsonNode?)JsonValue.Create(d)),
        Text.Select(s => (JsonNode?)JsonValue.Create(s)));

    /// <summary>A random JSON value no deeper than <paramref name="depth"/>.</summary>
    public static Gen<JsonNode?> Value(int depth) => depth <= 0
        ? Leaf
        : Gen.Frequency(
            (5, Leaf),
            (1, Gen.ListOf(Gen.Fresh(() => 0).SelectMany(_ => Value(depth - 1)), 4).Select(items => (JsonNode?)new JsonArray(items.ToArray()))),
            (1, Gen.ListOf(Gen.Zip(Text, Value(depth - 1)), 4).Select(ToObject)));

    private static JsonNode? ToObject(IEnumerable<(string, JsonNode?)> pairs)
    {
        var o = new JsonObject();
        foreach (var (k, v) in pairs) { o[k] = v; }
        return o;
    }

    /// <summary>A JSON object whose keys are mostly <paramref name="knownKeys"/> and whose values are of any type.</summary>
    public static Gen<JsonObject> ObjectWith(IReadOnlyList<string> knownKeys, Func<string, Gen<JsonNode?>>? special = null, int maxKeys = 12) =>
        Gen.Choose(0, maxKeys).SelectMany(n => Gen.ListOf(Gen.Frequency((6, Gen.Elements(knownKeys.ToArray())), (1, Text)), n))
            .SelectMany(keys => Gen.CollectToList(keys, k => Gen.Frequency((3, special?.Invoke(k) ?? Value(2)), (2, Value(2))).Select(v => (k, v))))
            .Select(pairs =>
            {
                var o = new JsonObject();
                foreach (var (k, v) in pairs) { o[k] = v; }
                return o;
            });

    /// <summary>Serialises a tree without escaping anything (lone surrogates become replacement characters, as a real peer would send).</summary>
    public static bool TryUtf8(JsonNode? node, out byte[] bytes)
    {
        try { bytes = Encoding.UTF8.GetBytes(node is null ? "null" : node.ToJsonString()); return true; }
        catch (ArgumentException) { bytes = Array.Empty<byte>(); return false; }
    }

    public static byte[] Utf8(JsonNode? node)
    {
        try { return Encoding.UTF8.GetBytes(node is null ? "null" : node.ToJsonString()); }
        catch (ArgumentException) { return Encoding.UTF8.GetBytes("{\"type\":\"event\"}"); }
    }

    /// <summary>Byte sequences that are not valid UTF-8.</summary>
    public static readonly Gen<byte[]> BadUtf8 = Gen.Elements(
        new byte[] { 0xC0, 0xAF }, new byte[] { 0xFF }, new byte[] { 0x80 }, new byte[] { 0xED, 0xA0, 0x80 },
        new byte[] { 0xF4, 0x90, 0x80, 0x80 }, new byte[] { 0xE2, 0x82 }, new byte[] { 0xFE, 0xFF }, new byte[] { 0 });

    /// <summary>Nested arrays/objects <paramref name="depth"/> deep, closed or left open.</summary>
    public static byte[] Nested(int depth, bool objects, bool closed)
    {
        var sb = new StringBuilder("{\"type\":\"event\",\"event\":\"x\",\"payload\":");
        for (int i = 0; i < depth; i++) { sb.Append(objects ? "{\"a\":" : "["); }
        sb.Append('1');
        if (closed) { for (int i = 0; i < depth; i++) { sb.Append(objects ? '}' : ']'); } sb.Append('}'); }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Plausible frames with each field of any type: the decoder must route or reject every one.</summary>
    public static readonly Gen<JsonObject> Frame = ObjectWith(
        new[] { "type", "id", "event", "payload", "ok", "error", "seq", "method" },
        k => k switch
        {
            "type" => Gen.Elements<JsonNode?>("res", "event", "req", "", "RES", null, 1, true),
            "event" => Gen.Elements<JsonNode?>("connect.challenge", "node.invoke.request", "tick", "", null, 7),
            "id" => Gen.OneOf(Text.Select(s => (JsonNode?)s), Gen.Constant<JsonNode?>(null), Gen.Constant<JsonNode?>(42)),
            _ => Value(2),
        });

    /// <summary>Bytes of a frame, then mangled: truncated, with bytes flipped, with broken UTF-8 spliced in, or random.</summary>
    public static readonly Gen<byte[]> FrameBytes = Gen.OneOf(
        Frame.Select(f => Utf8(f)),
        Gen.Zip(Frame.Select(f => Utf8(f)), Gen.Choose(0, 1000)).Select(t => t.Item1.Take(t.Item1.Length * t.Item2 / 1000).ToArray()),
        Gen.Zip(Frame.Select(f => Utf8(f)), Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(0, 255))).Select(t =>
        {
            byte[] b = (byte[])t.Item1.Clone();
            if (b.Length > 0) { b[t.Item2.Item1 % b.Length] = (byte)t.Item2.Item2; }
            return b;
        }),
        Gen.Zip(Frame.Select(f => Utf8(f)), Gen.Zip(BadUtf8, Gen.Choose(0, int.MaxValue))).Select(t =>
        {
            int at = t.Item1.Length == 0 ? 0 : t.Item2.Item2 % t.Item1.Length;
            return t.Item1.Take(at).Concat(t.Item2.Item1).Concat(t.Item1.Skip(at)).ToArray();
        }),
        Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i)),
        Gen.Zip(Gen.Choose(1, 5000), Gen.Zip(Gen.Elements(true, false), Gen.Elements(true, false))).Select(t => Nested(t.Item1, t.Item2.Item1, t.Item2.Item2)));
}
