using System;
using System.CommandLine;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Migration;
using OpenClaw.Node.State;

namespace OpenClaw.NodeHost;

/// <summary>
/// <c>openclaw-node import [--from DIR] [--state-dir DIR] [--dry-run] [--force] [--json]</c>: carries an official OpenClaw
/// node's state (device identity, device token, gateway, name, instance id, exec approvals) into this host's state
/// directory. Exit codes: 0 imported (or dry run), 78 refused or source/target unusable (message on stderr).
/// </summary>
internal static class ImportCommand
{
    /// <summary>Builds the command; <paramref name="stateDir"/> and <paramref name="json"/> are the shared options.</summary>
    public static Command Create(Option<string?> stateDir, Option<bool> json)
    {
        var from = new Option<string?>("--from") { Description = "The official OpenClaw install's state directory (default: ~/.openclaw). Only read, never changed." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be imported (secrets masked) and write nothing." };
        var force = new Option<bool>("--force") { Description = "Replace a different device identity or different exec approvals in the target state directory." };
        var cmd = new Command("import", "Import an official OpenClaw node's state (identity, device token, gateway, exec approvals) so it keeps its pairing on this host.")
        {
            from, stateDir, dryRun, force, json,
        };
        cmd.SetAction(pr => Run(pr.GetValue(from), pr.GetValue(stateDir), pr.GetValue(dryRun), pr.GetValue(force), pr.GetValue(json)));
        return cmd;
    }

    private static int Run(string? from, string? stateDir, bool dryRun, bool force, bool json)
    {
        // The source defaults to the official default (~/.openclaw), not to $OPENCLAW_STATE_DIR, which names our target.
        string source = StateDirectory.Resolve(string.IsNullOrWhiteSpace(from) ? "~/.openclaw" : from);
        string target = StateDirectory.Resolve(stateDir);
        NodeStateImportResult result;
        try
        {
            result = NodeStateImporter.Import(new NodeStateImportOptions { SourceDirectory = source, TargetDirectory = target, DryRun = dryRun, Force = force });
        }
        catch (NodeStateImportException ex)
        {
            Console.Error.WriteLine($"{ex.ErrorId}: {ex.Message}");
            return NodeHostExitCodes.Configuration;
        }
        if (json)
        {
            Console.Out.WriteLine(Json.Indented(result.ToJson()));
            return 0;
        }
        Console.Out.WriteLine((dryRun ? "Would import" : "Imported") + $" from {result.SourceDirectory} ({result.SourceKind}) into {result.TargetDirectory}:");
        foreach (NodeStateImportItem i in result.Items)
        {
            string action = i.Action switch
            {
                NodeStateImportAction.Import => dryRun ? "would import" : "imported",
                NodeStateImportAction.Unchanged => "unchanged",
                _ => "not found",
            };
            Console.Out.WriteLine($"  {i.Name,-14} {action,-13} {i.Value}{(i.Source is null ? string.Empty : "  (from " + i.Source + ")")}");
        }
        foreach (string w in result.Warnings) { Console.Error.WriteLine("warning: " + w); }
        return 0;
    }
}
