using System;
using System.Linq;
using OpenClaw.Node.Migration;

namespace OpenClaw.PowerShell;

/// <summary>
/// What <c>Import-OpenClawNodeState</c> imported from an official OpenClaw install. No secret is exposed: the device
/// token appears only as <see cref="DeviceToken"/> = true and as <c>********</c> in <see cref="Items"/>.
/// </summary>
public sealed class OpenClawNodeStateImport
{
    internal OpenClawNodeStateImport(NodeStateImportResult r)
    {
        DeviceId = r.DeviceId;
        NodeId = r.NodeId;
        DisplayName = r.DisplayName;
        Gateway = r.GatewayUrl;
        TlsFingerprint = r.Gateway?.TlsFingerprint;
        DeviceToken = r.HasDeviceToken;
        ExecApprovals = r.HasExecApprovals;
        SourceKind = r.SourceKind;
        Source = r.SourceDirectory;
        StateDirectory = r.TargetDirectory;
        Items = r.Items.Select(i => new OpenClawNodeStateImportItem(i)).ToArray();
        Warnings = r.Warnings.ToArray();
    }

    /// <summary>The device id (hex SHA-256 of the public key), recomputed from the imported key: the id the gateway knows the node by.</summary>
    public string DeviceId { get; }

    /// <summary>The instance id (<c>nodeId</c> of the official configuration), or null.</summary>
    public string? NodeId { get; }

    /// <summary>The display name, or null.</summary>
    public string? DisplayName { get; }

    /// <summary>The gateway as <c>ws://host:port[/path]</c> or <c>wss://…</c>, or null.</summary>
    public string? Gateway { get; }

    /// <summary>The pinned gateway certificate SHA-256 (64 hex), or null.</summary>
    public string? TlsFingerprint { get; }

    /// <summary>True when the node's device token was imported (its value is never shown).</summary>
    public bool DeviceToken { get; }

    /// <summary>True when exec approvals were imported.</summary>
    public bool ExecApprovals { get; }

    /// <summary><c>sqlite</c>, <c>legacy</c> or <c>sqlite+legacy</c>.</summary>
    public string SourceKind { get; }

    /// <summary>The official install's state directory that was read (never modified).</summary>
    public string Source { get; }

    /// <summary>This host's state directory that was written.</summary>
    public string StateDirectory { get; }

    /// <summary>Each piece of state: name, action, masked value, source and target.</summary>
    public OpenClawNodeStateImportItem[] Items { get; }

    /// <summary>Things not carried over or ignored (stale tokens, saved command lists, Cloudflare Access settings).</summary>
    public string[] Warnings { get; }
}

/// <summary>One piece of imported state (see <see cref="OpenClawNodeStateImport.Items"/>).</summary>
public sealed class OpenClawNodeStateImportItem
{
    internal OpenClawNodeStateImportItem(NodeStateImportItem i)
    {
        Name = i.Name;
        Action = i.Action.ToString();
        Value = i.Value;
        Source = i.Source;
        Target = i.Target;
    }

    /// <summary><c>identity</c>, <c>deviceToken</c>, <c>gateway</c>, <c>displayName</c>, <c>nodeId</c> or <c>execApprovals</c>.</summary>
    public string Name { get; }

    /// <summary><c>Import</c>, <c>Unchanged</c> or <c>NotFound</c>.</summary>
    public string Action { get; }

    /// <summary>The value with secrets masked (<c>********</c> for the token, the device id for the identity), or null.</summary>
    public string? Value { get; }

    /// <summary>Where it was read (a file, or <c>&lt;database&gt;#table</c>), or null.</summary>
    public string? Source { get; }

    /// <summary>The file it was written to, or null.</summary>
    public string? Target { get; }
}
