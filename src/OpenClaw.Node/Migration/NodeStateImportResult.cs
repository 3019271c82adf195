using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Migration;

/// <summary>What <see cref="NodeStateImporter.Import"/> should do.</summary>
public sealed class NodeStateImportOptions
{
    /// <summary>
    /// The official OpenClaw install's state directory (its <c>$OPENCLAW_STATE_DIR</c>, default <c>~/.openclaw</c>): the
    /// folder that holds <c>state/openclaw.sqlite</c> and/or the legacy <c>node.json</c>, <c>identity/</c> and
    /// <c>exec-approvals.json</c>. A full path. Only read, never written.
    /// </summary>
    public string SourceDirectory { get; init; } = string.Empty;

    /// <summary>
    /// This host's state directory to write (full path; created when missing). It may be the source directory itself
    /// (both default to <c>~/.openclaw</c>): then only the SQLite store is read, and this host's files
    /// (<c>node.json</c>, <c>identity/device.json</c>, <c>exec-approvals.json</c>) are written beside it.
    /// </summary>
    public string TargetDirectory { get; init; } = string.Empty;

    /// <summary>Only report what would be imported; write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Replace a different device identity, an unreadable node.json or different exec approvals in the target.</summary>
    public bool Force { get; init; }
}

/// <summary>How one piece of state is handled by an import.</summary>
public enum NodeStateImportAction
{
    /// <summary>Copied into the target (or would be, in a dry run).</summary>
    Import,

    /// <summary>The target already holds the same value: left as it is.</summary>
    Unchanged,

    /// <summary>Not present in the source: nothing to import.</summary>
    NotFound,
}

/// <summary>
/// One piece of migrated state. <see cref="Value"/> never carries a secret: the device token is shown as
/// <c>********</c> and the device identity by its device id (the private key is never shown).
/// </summary>
public sealed class NodeStateImportItem
{
    /// <summary>Creates an item.</summary>
    public NodeStateImportItem(string name, NodeStateImportAction action, string? value, string? source, string? target)
    {
        Name = name;
        Action = action;
        Value = value;
        Source = source;
        Target = target;
    }

    /// <summary>
    /// Which piece: <c>identity</c>, <c>deviceToken</c>, <c>gateway</c>, <c>displayName</c>, <c>nodeId</c> or
    /// <c>execApprovals</c>.
    /// </summary>
    public string Name { get; }

    /// <summary>Imported, unchanged or not found.</summary>
    public NodeStateImportAction Action { get; }

    /// <summary>A display value with secrets masked (device id, <c>********</c>, <c>host:port</c>, name, id, policy summary), or null.</summary>
    public string? Value { get; }

    /// <summary>Where it was read: a file path, or <c>&lt;db&gt;#table</c> for a row of the SQLite store; null when not found.</summary>
    public string? Source { get; }

    /// <summary>The target file it goes to; null when not found.</summary>
    public string? Target { get; }
}

/// <summary>The outcome of an import (or of a dry run): what was found, where it came from and what was written.</summary>
public sealed class NodeStateImportResult
{
    internal NodeStateImportResult(string sourceDirectory, string sourceKind, string targetDirectory, bool dryRun, string deviceId,
        string? nodeId, string? displayName, GatewaySettings? gateway, bool hasDeviceToken, bool hasExecApprovals,
        IReadOnlyList<NodeStateImportItem> items, IReadOnlyList<string> warnings)
    {
        SourceDirectory = sourceDirectory;
        SourceKind = sourceKind;
        TargetDirectory = targetDirectory;
        DryRun = dryRun;
        DeviceId = deviceId;
        NodeId = nodeId;
        DisplayName = displayName;
        Gateway = gateway;
        HasDeviceToken = hasDeviceToken;
        HasExecApprovals = hasExecApprovals;
        Items = items;
        Warnings = warnings;
    }

    /// <summary>The official install's state directory that was read.</summary>
    public string SourceDirectory { get; }

    /// <summary><c>sqlite</c> (state/openclaw.sqlite), <c>legacy</c> (JSON files of pre-SQLite releases) or <c>sqlite+legacy</c>.</summary>
    public string SourceKind { get; }

    /// <summary>This host's state directory.</summary>
    public string TargetDirectory { get; }

    /// <summary>True when nothing was written (dry run / -WhatIf).</summary>
    public bool DryRun { get; }

    /// <summary>The device id (lowercase hex SHA-256 of the public key), recomputed from the imported key.</summary>
    public string DeviceId { get; }

    /// <summary>The instance id (<c>nodeId</c> of the official config), or null when the source had none.</summary>
    public string? NodeId { get; }

    /// <summary>The display name, or null.</summary>
    public string? DisplayName { get; }

    /// <summary>The gateway endpoint, or null when the source had none.</summary>
    public GatewaySettings? Gateway { get; }

    /// <summary>True when a node-role device token for this device was found (its value is never exposed).</summary>
    public bool HasDeviceToken { get; }

    /// <summary>True when an exec-approvals document was found.</summary>
    public bool HasExecApprovals { get; }

    /// <summary>Each piece of state and what happened to it.</summary>
    public IReadOnlyList<NodeStateImportItem> Items { get; }

    /// <summary>Things the user should know (ignored tokens, settings not carried over, stale legacy files).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The gateway as <c>ws://host:port/path</c> or <c>wss://…</c>, or null.</summary>
    public string? GatewayUrl => Gateway is null ? null
        : (Gateway.Tls ? "wss://" : "ws://") + (Gateway.Host.Contains(":") ? "[" + Gateway.Host + "]" : Gateway.Host) + ":" + Gateway.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + (Gateway.ContextPath ?? string.Empty);

    /// <summary>The result as JSON (<c>--json</c> output): no token or key values.</summary>
    public JsonObject ToJson()
    {
        var items = new JsonArray();
        foreach (NodeStateImportItem i in Items)
        {
            items.Add((JsonNode)new JsonObject
            {
                ["name"] = i.Name,
                ["action"] = i.Action switch { NodeStateImportAction.Import => "import", NodeStateImportAction.Unchanged => "unchanged", _ => "not-found" },
                ["value"] = i.Value,
                ["source"] = i.Source,
                ["target"] = i.Target,
            });
        }
        var warnings = new JsonArray();
        foreach (string w in Warnings) { warnings.Add((JsonNode)JsonValue.Create(w)); }
        return new JsonObject
        {
            ["dryRun"] = DryRun,
            ["source"] = SourceDirectory,
            ["sourceKind"] = SourceKind,
            ["stateDirectory"] = TargetDirectory,
            ["deviceId"] = DeviceId,
            ["nodeId"] = NodeId,
            ["displayName"] = DisplayName,
            ["gateway"] = Gateway is null ? null : new JsonObject
            {
                ["host"] = Gateway.Host,
                ["port"] = Gateway.Port,
                ["tls"] = Gateway.Tls,
                ["tlsFingerprint"] = Gateway.TlsFingerprint,
                ["contextPath"] = Gateway.ContextPath,
            },
            ["deviceToken"] = HasDeviceToken,
            ["execApprovals"] = HasExecApprovals,
            ["items"] = items,
            ["warnings"] = warnings,
        };
    }
}

/// <summary>
/// An import was refused or failed. <see cref="ErrorId"/> is stable: <c>SourceStateNotFound</c>,
/// <c>SourceStateInvalid</c> (corrupt or unreadable source file, named in <see cref="Path"/>), <c>IdentityMismatch</c>
/// (a stored device id does not match its key), <c>TargetIdentityExists</c>, <c>TargetStateInvalid</c>,
/// <c>TargetExecApprovalsDiffer</c> (use Force), <c>TargetWriteFailed</c>, <c>SqliteUnavailable</c> (the native SQLite
/// library e_sqlite3 could not be loaded: a packaging problem).
/// </summary>
public sealed class NodeStateImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NodeStateImportException(string errorId, string path, string message, Exception? inner = null) : base(message, inner)
    {
        ErrorId = errorId;
        Path = path;
    }

    /// <summary>Stable error id (see the class summary).</summary>
    public string ErrorId { get; }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
