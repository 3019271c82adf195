using System;
using System.Management.Automation;
using OpenClaw.Node.Hosting;

namespace OpenClaw.PowerShell;

/// <summary>The only place ErrorRecords are built; ErrorIds never change once shipped.</summary>
internal static class Errors
{
    internal static ErrorRecord RequestNotFound(string id) => new(
        new ItemNotFoundException($"No pending pairing request has the id '{id}'. List them with Get-OpenClawNodeRequest."),
        "NodeRequestNotFound", ErrorCategory.ObjectNotFound, id);

    internal static ErrorRecord NodeNotFound(string name) => new(
        new ItemNotFoundException($"No node named '{name}' is known to the gateway. List them with Get-OpenClawNode."),
        "NodeNotFound", ErrorCategory.ObjectNotFound, name);

    internal static ErrorRecord SurfaceNotSeen(string nodeId, int seconds) => new(
        new TimeoutException($"The device {nodeId} was approved, but its command-surface request did not appear within {seconds} s. The node may be offline; approve it later with Get-OpenClawNodeRequest | Approve-OpenClawNodeRequest."),
        "CommandSurfaceNotSeen", ErrorCategory.OperationTimeout, nodeId);

    /// <summary>A filtered approval refused a request that asks for more than a node (ErrorId from the filter, e.g. NodeRequestCommandsTooBroad).</summary>
    internal static ErrorRecord RequestRefused(string errorId, string message, object target) => new(
        new InvalidOperationException(message), errorId, ErrorCategory.PermissionDenied, target);

    /// <summary>A setup code that cannot be used (ErrorId SetupCodeMissing, SetupCodeMalformed or SetupCodeExpired).</summary>
    internal static ErrorRecord SetupCode(Node.Enrollment.SetupCodeException ex) => new(ex, ex.ErrorId, ErrorCategory.InvalidArgument, null)
    {
        ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Ask a gateway operator for a new code (New-OpenClawSetupCode) and pass it within 10 minutes." },
    };

    internal static ErrorRecord NotConnected() => new(
        new InvalidOperationException("Not connected to a gateway. Run Connect-OpenClawGateway first, or pass -Gateway."),
        "NotConnected", ErrorCategory.ConnectionError, null);

    /// <summary>An engine failure as an ErrorRecord: ErrorId from the engine, category from its kind.</summary>
    internal static ErrorRecord FromGateway(Node.Protocol.GatewayException ex, object? target)
    {
        var record = new ErrorRecord(ex, ex.ErrorId, Category(ex.Kind), target);
        string? action = ex.Kind switch
        {
            Node.Protocol.FailureKind.AuthFailed => "Check the gateway token (-Token or $env:OPENCLAW_GATEWAY_TOKEN).",
            Node.Protocol.FailureKind.Forbidden => "Connect with an operator that has the scope named in the message (operator.admin for command-surface approvals).",
            Node.Protocol.FailureKind.Unreachable => "Check that the gateway runs and that the address and port are right.",
            Node.Protocol.FailureKind.PairingRequired => "Approve this operator device on the gateway host (openclaw devices approve), then connect again.",
            _ => null,
        };
        if (action is not null) { record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = action }; }
        return record;
    }

    private static ErrorCategory Category(Node.Protocol.FailureKind kind) => kind switch
    {
        Node.Protocol.FailureKind.NotFound => ErrorCategory.ObjectNotFound,
        Node.Protocol.FailureKind.AuthFailed => ErrorCategory.AuthenticationError,
        Node.Protocol.FailureKind.PairingRequired => ErrorCategory.PermissionDenied,
        Node.Protocol.FailureKind.PairingRejected => ErrorCategory.PermissionDenied,
        Node.Protocol.FailureKind.Forbidden => ErrorCategory.PermissionDenied,
        Node.Protocol.FailureKind.RateLimited => ErrorCategory.LimitsExceeded,
        Node.Protocol.FailureKind.Unreachable => ErrorCategory.ConnectionError,
        Node.Protocol.FailureKind.TlsFailure => ErrorCategory.SecurityError,
        Node.Protocol.FailureKind.Protocol => ErrorCategory.ProtocolError,
        Node.Protocol.FailureKind.Timeout => ErrorCategory.OperationTimeout,
        Node.Protocol.FailureKind.Conflict => ErrorCategory.ResourceExists,
        Node.Protocol.FailureKind.InvalidArgument => ErrorCategory.InvalidArgument,
        Node.Protocol.FailureKind.Configuration => ErrorCategory.InvalidArgument,
        Node.Protocol.FailureKind.Unavailable => ErrorCategory.ResourceUnavailable,
        _ => ErrorCategory.NotSpecified,
    };

    internal static ErrorRecord ExecApprovalsInvalid(Node.State.StateFileException ex) =>
        new(ex, "ExecApprovalsInvalid", ErrorCategory.InvalidData, ex.Path)
        {
            ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Fix or replace the file named in the message; until then every command on this node is denied." },
        };

    internal static ErrorRecord NodeHostFailed(int exitCode, string message)
    {
        string id = exitCode switch
        {
            NodeHostExitCodes.AuthenticationFailed => "NodeAuthenticationFailed",
            NodeHostExitCodes.Configuration => "NodeConfigurationInvalid",
            _ => "NodeHostFailed",
        };
        ErrorCategory category = exitCode switch
        {
            NodeHostExitCodes.AuthenticationFailed => ErrorCategory.AuthenticationError,
            NodeHostExitCodes.Configuration => ErrorCategory.InvalidData,
            _ => ErrorCategory.NotSpecified,
        };
        var record = new ErrorRecord(new InvalidOperationException(message), id, category, null);
        if (exitCode == NodeHostExitCodes.AuthenticationFailed)
        {
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Check the gateway token (-Token or $env:OPENCLAW_GATEWAY_TOKEN) and start the node again." };
        }
        return record;
    }

    internal static ErrorRecord Service(Node.Service.NodeServiceException ex) =>
        new(ex, ex.ErrorId, ex.ErrorId == "ServiceManagerUnavailable" || ex.ErrorId == "ServiceNotSupported" ? ErrorCategory.ResourceUnavailable : ErrorCategory.InvalidOperation, null);

    internal static ErrorRecord ServiceOperationFailed(Node.Service.NodeServiceResult r)
    {
        bool notInstalled = r.Result == "not-installed";
        return new ErrorRecord(new InvalidOperationException(r.Message), notInstalled ? "ServiceNotInstalled" : "ServiceNotRunning",
            notInstalled ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidResult, r.Service.Name)
        {
            ErrorDetails = new ErrorDetails(r.Message) { RecommendedAction = string.Join(" ", r.Hints) },
        };
    }
}
