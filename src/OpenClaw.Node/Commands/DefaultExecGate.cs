namespace OpenClaw.Node.Commands;

/// <summary>
/// The official host's built-in defaults for an unconfigured node (spec §9.3: security <c>full</c>, ask <c>off</c>):
/// every request that passed validation and env sanitisation may run.
/// </summary>
internal sealed class DefaultExecGate : IExecGate
{
    public ExecDecision Evaluate(SystemRunRequest request, string? resolvedPath) => ExecDecision.Allow;
}
