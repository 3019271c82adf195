using System;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Status;

/// <summary>
/// <c>node-status.json</c> in the state directory: the live state a running node host publishes for
/// <see cref="NodeStatusReader"/> (written atomically, 0600, on every state change and every
/// <see cref="DefaultHeartbeatInterval"/>). Never holds a token or password. Format (version 1; timestamps ISO 8601 UTC,
/// absent values are <c>null</c>):
/// <code>
/// {"version":1, "pid":1234, "processStartedAt":"…Z", "processStartTicks":123456|null,
///  "hostVersion":"0.1.0", "deviceId":"64 hex"|null, "displayName":"…"|null,
///  "gateway":{"url":"ws://127.0.0.1:18789/"|null, "tls":false, "tlsFingerprint":"64 hex"|null},
///  "state":"Starting|Connecting|PairingRequired|AwaitingApproval|Connected|Reconnecting|Stopped|Failed",
///  "stateSince":"…Z", "message":"…", "connectedSince":"…Z"|null,
///  "reconnectAttempts":0, "disconnects":0,
///  "lastError":{"message":"…", "kind":"Unreachable|…|Disconnected", "at":"…Z"}|null,
///  "pairing":{"deviceApproved":true|false|null, "commandSurfaceApproved":true|false|null, "pendingRequestId":"…"|null},
///  "exitCode":null|0|1|77|78, "heartbeatAt":"…Z", "heartbeatIntervalSeconds":15}
/// </code>
/// </summary>
internal sealed class NodeStatusFile
{
    /// <summary>The file name in the state directory.</summary>
    public const string FileName = "node-status.json";

    /// <summary>The heartbeat interval of a running host: 15 s.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>A heartbeat older than this many intervals means the host is dead or hung.</summary>
    public const int StaleAfterIntervals = 3;

    public int Pid { get; set; }
    public DateTimeOffset? ProcessStartedAt { get; set; }
    public long? ProcessStartTicks { get; set; }
    public string? HostVersion { get; set; }
    public string? DeviceId { get; set; }
    public string? DisplayName { get; set; }
    public string? GatewayUrl { get; set; }
    public bool Tls { get; set; }
    public string? TlsFingerprint { get; set; }
    public string State { get; set; } = "Starting";
    public DateTimeOffset? StateSince { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset? ConnectedSince { get; set; }
    public int ReconnectAttempts { get; set; }
    public int Disconnects { get; set; }
    public string? LastErrorMessage { get; set; }
    public string? LastErrorKind { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
    public bool? DeviceApproved { get; set; }
    public bool? CommandSurfaceApproved { get; set; }
    public string? PendingRequestId { get; set; }
    public int? ExitCode { get; set; }
    public DateTimeOffset? HeartbeatAt { get; set; }
    public double HeartbeatIntervalSeconds { get; set; } = DefaultHeartbeatInterval.TotalSeconds;

    public NodeStatusFile Clone() => (NodeStatusFile)MemberwiseClone();

    public static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonNode? IsoOrNull(DateTimeOffset? t) => t is DateTimeOffset v ? JsonValue.Create(Iso(v)) : null;

    public string ToJson()
    {
        var o = new JsonObject
        {
            ["version"] = 1,
            ["pid"] = Pid,
            ["processStartedAt"] = IsoOrNull(ProcessStartedAt),
            ["processStartTicks"] = ProcessStartTicks,
            ["hostVersion"] = HostVersion,
            ["deviceId"] = DeviceId,
            ["displayName"] = DisplayName,
            ["gateway"] = new JsonObject { ["url"] = GatewayUrl, ["tls"] = Tls, ["tlsFingerprint"] = TlsFingerprint },
            ["state"] = State,
            ["stateSince"] = IsoOrNull(StateSince),
            ["message"] = Message,
            ["connectedSince"] = IsoOrNull(ConnectedSince),
            ["reconnectAttempts"] = ReconnectAttempts,
            ["disconnects"] = Disconnects,
            ["lastError"] = LastErrorMessage is null ? null : new JsonObject
            {
                ["message"] = LastErrorMessage,
                ["kind"] = LastErrorKind,
                ["at"] = IsoOrNull(LastErrorAt),
            },
            ["pairing"] = new JsonObject
            {
                ["deviceApproved"] = DeviceApproved,
                ["commandSurfaceApproved"] = CommandSurfaceApproved,
                ["pendingRequestId"] = PendingRequestId,
            },
            ["exitCode"] = ExitCode,
            ["heartbeatAt"] = IsoOrNull(HeartbeatAt),
            ["heartbeatIntervalSeconds"] = HeartbeatIntervalSeconds,
        };
        return Json.Indented(o);
    }

    /// <summary>Parses the file; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static NodeStatusFile Parse(string text)
    {
        JsonNode? root = Json.ParseOrNull(text);
        if (root is not JsonObject o) { throw new FormatException("it is not a JSON object (truncated or corrupt)"); }
        if (o.Long("version") is not long v) { throw new FormatException("it has no 'version'"); }
        if (v != 1) { throw new FormatException($"its version {v} is not supported (this build reads version 1)"); }
        if (o.Long("pid") is not long pid || pid <= 0 || pid > int.MaxValue) { throw new FormatException("it has no valid 'pid'"); }
        string state = o.Str("state") ?? throw new FormatException("it has no 'state'");
        JsonObject? gw = o.Obj("gateway");
        JsonObject? err = o.Obj("lastError");
        JsonObject? pairing = o.Obj("pairing");
        double interval = o["heartbeatIntervalSeconds"] is JsonValue iv && iv.TryGetValue(out double d) && d > 0 ? d : DefaultHeartbeatInterval.TotalSeconds;
        return new NodeStatusFile
        {
            Pid = (int)pid,
            ProcessStartedAt = Time(o, "processStartedAt"),
            ProcessStartTicks = o.Long("processStartTicks"),
            HostVersion = o.Str("hostVersion"),
            DeviceId = o.Str("deviceId"),
            DisplayName = o.Str("displayName"),
            GatewayUrl = gw.Str("url"),
            Tls = gw.Bool("tls") ?? false,
            TlsFingerprint = gw.Str("tlsFingerprint"),
            State = state,
            StateSince = Time(o, "stateSince"),
            Message = o.Str("message"),
            ConnectedSince = Time(o, "connectedSince"),
            ReconnectAttempts = (int)Math.Max(0, Math.Min(int.MaxValue, o.Long("reconnectAttempts") ?? 0)),
            Disconnects = (int)Math.Max(0, Math.Min(int.MaxValue, o.Long("disconnects") ?? 0)),
            LastErrorMessage = err.Str("message"),
            LastErrorKind = err.Str("kind"),
            LastErrorAt = Time(err, "at"),
            DeviceApproved = pairing.Bool("deviceApproved"),
            CommandSurfaceApproved = pairing.Bool("commandSurfaceApproved"),
            PendingRequestId = pairing.Str("pendingRequestId"),
            ExitCode = o.Long("exitCode") is long ec ? (int)ec : null,
            HeartbeatAt = Time(o, "heartbeatAt"),
            HeartbeatIntervalSeconds = interval,
        };
    }

    private static DateTimeOffset? Time(JsonNode? o, string name) =>
        o.Str(name) is string s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset t)
            ? t : null;
}
