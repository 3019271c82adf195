using System;
using System.Management.Automation;
using OpenClaw.Node.Hosting;

namespace OpenClaw.PowerShell;

/// <summary>The only place ErrorRecords are built; ErrorIds never change once shipped.</summary>
internal static class Errors
{
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
}
