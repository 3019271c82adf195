using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Status;

/// <summary>The machine policy as the status reports it (see <see cref="Policy.MachinePolicy"/>).</summary>
public sealed record NodeStatusMachinePolicy
{
    /// <summary>True when a policy source is present (then the node enforces it), or present but broken.</summary>
    public bool InForce { get; init; }

    /// <summary>The sources in force: file paths or <c>HKLM\SOFTWARE\Policies\OpenClaw</c>.</summary>
    public IReadOnlyList<string> Sources { get; init; } = System.Array.Empty<string>();

    /// <summary>One line: what the policy restricts, or that there is none.</summary>
    public string Summary { get; init; } = "machine policy: none";

    /// <summary>Why a present source is unusable (the host refuses to run and denies every command), or null.</summary>
    public string? Error { get; init; }

    /// <summary>Builds the status view of <paramref name="policy"/>.</summary>
    public static NodeStatusMachinePolicy From(Policy.MachinePolicy policy) => new()
    {
        InForce = policy.InForce,
        Sources = policy.Layers.Select(l => l.Source).ToArray(),
        Summary = policy.Describe(),
        Error = policy.Error,
    };

    /// <summary><c>{inForce, sources:[...], summary, error}</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["inForce"] = InForce,
        ["sources"] = Json.ToArray(Sources),
        ["summary"] = Summary,
        ["error"] = Error,
    };
}
