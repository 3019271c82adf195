using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Service;

/// <summary>JSON shapes of the service objects for <c>openclaw-node … --json</c> (camelCase, the official CLI's <c>action</c>/<c>ok</c>/<c>result</c> envelope, spec §11.5).</summary>
public static class NodeServiceJson
{
    /// <summary><c>{installed, manager, name, scope, running, pid, lastExitCode, definitionPath}</c>.</summary>
    public static JsonObject ToJson(NodeServiceState s) => new()
    {
        ["installed"] = s.Installed,
        ["manager"] = s.Manager.ToString(),
        ["name"] = s.Name,
        ["scope"] = s.Scope,
        ["running"] = s.Running,
        ["pid"] = s.ProcessId,
        ["lastExitCode"] = s.LastExitCode,
        ["definitionPath"] = s.DefinitionPath,
    };

    /// <summary>
    /// <c>{action, ok, result, message, service, definitionPath, connectionState?, warnings?, hints?, files?, commands?}</c>; when
    /// <c>ok</c> is false the message is also given as <c>error</c>, as the official CLI does. Files carry <c>path</c>,
    /// <c>secret</c> and <c>text</c> (a placeholder for secrets).
    /// </summary>
    public static JsonObject ToJson(NodeServiceResult r)
    {
        var o = new JsonObject
        {
            ["action"] = r.Action,
            ["ok"] = r.Ok,
            ["result"] = r.Result,
            ["message"] = r.Message,
        };
        if (!r.Ok) { o["error"] = r.Message; }
        o["service"] = ToJson(r.Service);
        o["definitionPath"] = r.DefinitionPath;
        if (r.ConnectionState is not null) { o["connectionState"] = r.ConnectionState; }
        if (r.Warnings.Count > 0) { o["warnings"] = Json.ToArray(r.Warnings); }
        if (r.Hints.Count > 0) { o["hints"] = Json.ToArray(r.Hints); }
        if (r.Files.Count > 0)
        {
            var files = new JsonArray();
            foreach (NodeServiceFile f in r.Files) { files.Add((JsonNode)new JsonObject { ["path"] = f.Path, ["secret"] = f.Secret, ["text"] = f.Text }); }
            o["files"] = files;
        }
        if (r.Commands.Count > 0) { o["commands"] = Json.ToArray(r.Commands); }
        return o;
    }
}
