using System;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Protocol;

/// <summary>What kind of failure a <see cref="GatewayException"/> reports; drives retry decisions and PowerShell error categories.</summary>
public enum FailureKind
{
    /// <summary>Anything not classified below.</summary>
    Unknown,
    /// <summary>An id, node or request the gateway does not know.</summary>
    NotFound,
    /// <summary>Credentials were missing or rejected (<c>AUTH_*</c>).</summary>
    AuthFailed,
    /// <summary>The device is not approved yet (<c>NOT_PAIRED</c> / <c>PAIRING_REQUIRED</c>).</summary>
    PairingRequired,
    /// <summary>The gateway refused a pairing or approval action.</summary>
    PairingRejected,
    /// <summary>The gateway asked the client to slow down.</summary>
    RateLimited,
    /// <summary>The gateway could not be reached or the connection dropped.</summary>
    Unreachable,
    /// <summary>The peer broke the protocol (bad frame, unexpected reply).</summary>
    Protocol,
    /// <summary>No answer in time.</summary>
    Timeout,
    /// <summary>A concurrent change won (stale hash, already exists).</summary>
    Conflict,
    /// <summary>The request was invalid (<c>INVALID_REQUEST</c>).</summary>
    InvalidArgument,
    /// <summary>The gateway or node is temporarily unable to serve (<c>UNAVAILABLE</c>).</summary>
    Unavailable,
    /// <summary>The caller lacks a scope (<c>FORBIDDEN</c>).</summary>
    Forbidden,
    /// <summary>The TLS certificate did not match the pinned fingerprint or failed validation.</summary>
    TlsFailure,
    /// <summary>Local configuration is unusable (bad URL, insecure plaintext to a public host).</summary>
    Configuration,
}

/// <summary>
/// A failure talking to the gateway: an <c>ok:false</c> response (spec §3.2, with <see cref="Code"/> = <c>error.code</c> and
/// <see cref="DetailsCode"/> = <c>error.details.code</c>), a closed or unreachable connection, or a timeout.
/// Messages never contain tokens or keys.
/// </summary>
public sealed class GatewayException : Exception
{
    /// <summary>Creates an exception.</summary>
    public GatewayException(FailureKind kind, string errorId, string message, Exception? inner = null) : base(message, inner)
    {
        Kind = kind;
        ErrorId = errorId;
    }

    /// <summary>Classification of the failure.</summary>
    public FailureKind Kind { get; }

    /// <summary>Stable PascalCase identifier of the code path (used as the PowerShell ErrorId).</summary>
    public string ErrorId { get; }

    /// <summary>The gateway's <c>error.code</c> (e.g. <c>INVALID_REQUEST</c>, <c>NOT_PAIRED</c>), when the failure came from a response.</summary>
    public string? Code { get; init; }

    /// <summary>The gateway's <c>error.details.code</c> (e.g. <c>PAIRING_REQUIRED</c>, <c>AUTH_TOKEN_MISMATCH</c>).</summary>
    public string? DetailsCode { get; init; }

    /// <summary>The gateway's <c>error.details</c> object, if any.</summary>
    public JsonObject? Details { get; init; }

    /// <summary>Whether the gateway marked the error retryable.</summary>
    public bool Retryable { get; init; }

    /// <summary>The gateway's suggested delay before retrying, in milliseconds.</summary>
    public int? RetryAfterMs { get; init; }

    /// <summary>WebSocket close code when the failure is a close, else null.</summary>
    public int? CloseCode { get; init; }

    /// <summary>Builds the exception for an <c>ok:false</c> response's <c>error</c> object.</summary>
    public static GatewayException FromError(JsonObject? error, string method)
    {
        string code = error.Str("code") ?? "UNKNOWN";
        string message = error.Str("message") ?? "the gateway returned an error without a message";
        JsonObject? details = error.Obj("details");
        string? detailsCode = details.Str("code");
        long? retryAfter = error.Long("retryAfterMs") ?? details.Long("retryAfterMs");
        FailureKind kind = Classify(code, detailsCode);
        return new GatewayException(kind, ErrorIdFor(kind, detailsCode ?? code), $"{method}: {message}")
        {
            Code = code,
            DetailsCode = detailsCode,
            Details = details,
            Retryable = error.Bool("retryable") ?? details.Bool("retryable") ?? false,
            RetryAfterMs = retryAfter is long r && r >= 0 && r < int.MaxValue ? (int)r : null,
        };
    }

    private static FailureKind Classify(string code, string? detailsCode)
    {
        if (detailsCode == "PAIRING_REQUIRED") { return FailureKind.PairingRequired; }
        if (detailsCode == "AUTH_RATE_LIMITED") { return FailureKind.RateLimited; }
        if (detailsCode is not null && (detailsCode.StartsWith("AUTH_", StringComparison.Ordinal) || detailsCode.StartsWith("DEVICE_AUTH_", StringComparison.Ordinal)
            || detailsCode == "DEVICE_IDENTITY_REQUIRED")) { return FailureKind.AuthFailed; }
        if (detailsCode == "PAIRING_CHANGED") { return FailureKind.Unavailable; }
        return code switch
        {
            "NOT_PAIRED" => FailureKind.PairingRequired,
            "FORBIDDEN" => FailureKind.Forbidden,
            "UNAVAILABLE" => FailureKind.Unavailable,
            "INVALID_REQUEST" => FailureKind.InvalidArgument,
            "APPROVAL_NOT_FOUND" => FailureKind.NotFound,
            _ => FailureKind.Unknown,
        };
    }

    private static string ErrorIdFor(FailureKind kind, string code)
    {
        // e.g. PAIRING_REQUIRED -> PairingRequired, AUTH_TOKEN_MISMATCH -> AuthTokenMismatch
        var sb = new System.Text.StringBuilder();
        foreach (string part in code.Split('_', '.', '-'))
        {
            if (part.Length == 0) { continue; }
            sb.Append(char.ToUpperInvariant(part[0])).Append(part.Substring(1).ToLowerInvariant());
        }
        string id = sb.Length > 0 ? sb.ToString() : kind.ToString();
        return id == "NotConnected" ? "NodeNotConnected" : id;   // "NotConnected" is the cmdlets' own no-session error
    }
}
