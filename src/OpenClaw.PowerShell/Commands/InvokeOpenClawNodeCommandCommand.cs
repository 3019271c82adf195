using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Collections.Specialized;
using OpenClaw.Node.Operator;
using OpenClaw.Node.Protocol;
using OpenClaw.PowerShell.Completion;

namespace OpenClaw.PowerShell.Commands;

/// <summary>How Invoke-OpenClawNodeCommand returns the node's JSON payload.</summary>
public enum NodeCommandOutputType
{
    /// <summary>PSCustomObject (default).</summary>
    PSObject,
    /// <summary>Hashtable.</summary>
    Hashtable,
    /// <summary>The JSON text.</summary>
    Json,
}

/// <summary>
/// <para type="synopsis">Invokes a command on a node through the gateway (node.invoke) and returns its payload.</para>
/// <para type="description">With -ArgumentList the command is system.run and the result an OpenClawCommandResult
/// (ExitCode, StdOut, StdErr, TimedOut, Success); otherwise any declared command with -Parameters, returning the decoded
/// payload.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "OpenClawNodeCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CommandSet)]
[OutputType(typeof(PSObject), typeof(Hashtable), typeof(string), ParameterSetName = new[] { CommandSet })]
[OutputType(typeof(OpenClawCommandResult), ParameterSetName = new[] { RunSet })]
public sealed class InvokeOpenClawNodeCommandCommand : OperatorCmdlet
{
    private const string CommandSet = "Command";
    private const string RunSet = "Run";
    private IReadOnlyList<NodeInfo>? _nodes;

    /// <summary>Node id, name or id prefix (6+ characters).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("NodeId", "Id")]
    [ArgumentCompleter(typeof(OpenClawNodeCompleter))]
    public string Node { get; set; } = string.Empty;

    /// <summary>Command name, e.g. system.which or system.run.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = CommandSet)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = string.Empty;

    /// <summary>Command params as a hashtable or object (sent as JSON).</summary>
    [Parameter(Position = 2, ParameterSetName = CommandSet)]
    public object? Parameters { get; set; }

    /// <summary>The program and its arguments for system.run (argv; no shell unless you name one, e.g. 'sh','-c','...').</summary>
    [Parameter(Mandatory = true, ParameterSetName = RunSet)]
    [ValidateNotNullOrEmpty]
    public string[] ArgumentList { get; set; } = Array.Empty<string>();

    /// <summary>Working directory on the node for system.run (default: the node host's).</summary>
    [Parameter(ParameterSetName = RunSet)]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary>Extra environment variables for system.run (names and values as strings; the node drops unsafe ones).</summary>
    [Parameter(ParameterSetName = RunSet)]
    public Hashtable? Environment { get; set; }

    /// <summary>Deadline in seconds (default 30): the invoke deadline, and for system.run also the command's own timeout.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 30;

    /// <summary>How to return the payload: PSObject (default), Hashtable or Json.</summary>
    [Parameter(ParameterSetName = CommandSet)]
    public NodeCommandOutputType OutputType { get; set; } = NodeCommandOutputType.PSObject;

    /// <summary>Invokes the command on each piped node.</summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == RunSet) { Run(); return; }
        OrderedDictionary? parameters = null;
        if (Parameters is not null)
        {
            parameters = JsonToPowerShell.FromPowerShell(Parameters) as OrderedDictionary;
            if (parameters is null)
            {
                WriteError(new ErrorRecord(new ArgumentException("-Parameters must be a hashtable or an object."), "InvalidCommandParameters", ErrorCategory.InvalidArgument, Parameters));
                return;
            }
        }
        try
        {
            _nodes ??= RunAsync(ct => Client.GetNodesAsync(ct));
            NodeInfo node = OperatorOperations.ResolveNode(_nodes, Node);
            if (!ShouldProcess($"{node.DisplayName ?? node.NodeId}", $"Invoke {Command}")) { return; }
            InvokePayload payload = RunAsync(ct => HostInterop.InvokeAsync(Client, node.NodeId, Command, parameters, TimeoutSec * 1000, ct));
            switch (OutputType)
            {
                case NodeCommandOutputType.Json: WriteObject(payload.Json); break;
                case NodeCommandOutputType.Hashtable: WriteObject(JsonToPowerShell.ToHashtable(payload.Value)); break;
                default: WriteObject(JsonToPowerShell.ToPSObject(payload.Value)); break;
            }
        }
        catch (GatewayException ex) { WriteError(Errors.FromGateway(ex, Node)); }
    }

    private void Run()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Environment is not null)
        {
            foreach (DictionaryEntry e in Environment)
            {
                string? name = e.Key?.ToString();
                if (string.IsNullOrEmpty(name) || name!.IndexOf('=') >= 0 || name.IndexOf('\0') >= 0)
                {
                    WriteError(new ErrorRecord(new ArgumentException($"'{name}' is not a valid environment variable name."), "InvalidEnvironmentName", ErrorCategory.InvalidArgument, name));
                    return;
                }
                env[name] = e.Value?.ToString() ?? string.Empty;
            }
        }
        try
        {
            _nodes ??= RunAsync(ct => Client.GetNodesAsync(ct));
            NodeInfo node = OperatorOperations.ResolveNode(_nodes, Node);
            if (!ShouldProcess($"{node.DisplayName ?? node.NodeId}", $"Run {string.Join(" ", ArgumentList)}")) { return; }
            SystemRunResult r = RunAsync(ct => Client.RunAsync(node.NodeId, ArgumentList, WorkingDirectory, env, TimeoutSec * 1000, ct));
            WriteObject(new OpenClawCommandResult(r, node, ArgumentList, GatewayName));
        }
        catch (GatewayException ex) { WriteError(Errors.FromGateway(ex, Node)); }
    }
}
