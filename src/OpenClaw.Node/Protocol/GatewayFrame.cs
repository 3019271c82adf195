using System;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Protocol;

/// <summary>What a frame from the gateway turned out to be.</summary>
internal enum FrameKind
{
    /// <summary>Not a usable frame (see <see cref="DecodedFrame.Problem"/>); logged and skipped.</summary>
    Invalid,
    /// <summary>A <c>res</c> frame with a non-empty string <c>id</c>.</summary>
    Response,
    /// <summary>An <c>event</c> frame with a non-empty string <c>event</c> name other than <c>connect.challenge</c>.</summary>
    Event,
    /// <summary><c>connect.challenge</c> with a payload object.</summary>
    Challenge,
}

/// <summary>One decoded frame: the parsed object plus the fields the connection routes on.</summary>
internal sealed record DecodedFrame(FrameKind Kind, JsonObject? Frame, string? Id, string? EventName, string? Problem)
{
    /// <summary>A frame that cannot be used, with the reason (no frame text in it: it may be huge or hostile).</summary>
    public static DecodedFrame Bad(string problem) => new(FrameKind.Invalid, null, null, null, problem);
}

/// <summary>
/// Decodes one WebSocket text message from the gateway (spec §2.3, §3): UTF-8 JSON, one object per frame, routed by
/// <c>type</c>. Total: every input — random bytes, truncated or non-UTF-8 text, nesting deeper than
/// <see cref="MaxDepth"/>, the same property name twice, wrong-typed fields — yields a <see cref="DecodedFrame"/>; it never throws. Memory is bounded
/// by the caller's receive limit (the parsed tree is proportional to the input).
/// </summary>
internal static class GatewayFrame
{
    /// <summary>Deepest nesting accepted (System.Text.Json's default); deeper frames are <see cref="FrameKind.Invalid"/>.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Decodes UTF-8 bytes; invalid UTF-8 makes the frame invalid (it is not silently repaired).</summary>
    public static DecodedFrame Decode(ReadOnlySpan<byte> utf8)
    {
        JsonNode? node;
        try
        {
            node = Json.Parse(utf8, Options);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return DecodedFrame.Bad($"not valid UTF-8 JSON ({utf8.Length} bytes): {FirstLine(ex.Message)}");
        }
        return Route(node, utf8.Length);
    }

    /// <summary>Decodes text (for callers that already have a string).</summary>
    public static DecodedFrame Decode(string text)
    {
        JsonNode? node;
        try
        {
            node = Json.Parse(text, Options);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return DecodedFrame.Bad($"not valid JSON ({text.Length} characters): {FirstLine(ex.Message)}");
        }
        return Route(node, text.Length);
    }

    private static DecodedFrame Route(JsonNode? node, int size)
    {
        if (node is not JsonObject frame) { return DecodedFrame.Bad($"not a JSON object ({size} bytes)"); }
        string? type = frame.Str("type");
        switch (type)
        {
            case "res":
            {
                string? id = frame.Str("id");
                return string.IsNullOrEmpty(id) ? DecodedFrame.Bad("a response without a string id") : new DecodedFrame(FrameKind.Response, frame, id, null, null);
            }
            case "event":
            {
                string? name = frame.Str("event");
                if (string.IsNullOrEmpty(name)) { return DecodedFrame.Bad("an event frame without an event name"); }
                if (name == "connect.challenge")
                {
                    return frame["payload"] is JsonObject
                        ? new DecodedFrame(FrameKind.Challenge, frame, null, name, null)
                        : DecodedFrame.Bad("a connect.challenge without a payload object");
                }
                return new DecodedFrame(FrameKind.Event, frame, null, name, null);
            }
            default:
                return DecodedFrame.Bad(type is null ? "a frame without a string type" : $"a frame of unknown type '{SafeText.Escape(Truncate(type))}'");
        }
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s.Substring(0, 64) + "…";

    private static string FirstLine(string message)
    {
        int nl = message.IndexOfAny(new[] { '\r', '\n' });
        string line = nl < 0 ? message : message.Substring(0, nl);
        return line.Length <= 200 ? line : line.Substring(0, 200) + "…";
    }
}
