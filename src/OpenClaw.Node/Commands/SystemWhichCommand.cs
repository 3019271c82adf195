using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Commands;

/// <summary>
/// <c>system.which</c> (spec §8.4): params <c>{bins: string[]}</c>; result <c>{bins: {name: absolutePath}}</c> with names
/// that were not found left out.
/// </summary>
internal sealed class SystemWhichCommand : IQuickNodeCommand
{
    private readonly PathResolver _resolver;

    public SystemWhichCommand(PathResolver resolver) => _resolver = resolver;

    public string Name => "system.which";

    public Task<CommandResult> InvokeAsync(InvokeContext context, CancellationToken ct)
    {
        var bins = context.Params.StrArray("bins");
        if (bins is null) { return Task.FromResult(CommandResult.Invalid("bins required")); }
        var found = new JsonObject();
        foreach (string bin in bins)
        {
            string name = bin.Trim();
            if (name.Length == 0 || found.ContainsKey(name)) { continue; }
            if (_resolver.Which(name) is string path) { found[name] = path; }
        }
        return Task.FromResult(CommandResult.Success(new JsonObject { ["bins"] = found }));
    }
}
