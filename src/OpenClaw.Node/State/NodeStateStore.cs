using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.State;

/// <summary>
/// The node's files in one state directory: <c>node.json</c> (<see cref="NodeConfig"/>) and <c>identity/device.json</c>
/// (the device key pair in the OpenClaw CLI's legacy form:
/// <c>{"version":1,"deviceId","publicKeyPem","privateKeyPem","createdAtMs"}</c>). All writes are atomic and owner-only.
/// </summary>
public sealed class NodeStateStore
{
    /// <summary>Opens the store rooted at <paramref name="stateDirectory"/> (a full path; created on first write).</summary>
    public NodeStateStore(string stateDirectory)
    {
        Directory = stateDirectory;
        ConfigPath = Path.Combine(stateDirectory, "node.json");
        IdentityPath = Path.Combine(stateDirectory, "identity", "device.json");
    }

    /// <summary>The state directory.</summary>
    public string Directory { get; }

    /// <summary>Full path of node.json.</summary>
    public string ConfigPath { get; }

    /// <summary>Full path of identity/device.json.</summary>
    public string IdentityPath { get; }

    /// <summary>Reads node.json, or null when it does not exist.</summary>
    /// <exception cref="StateFileException">The file is corrupt or unsafe.</exception>
    public NodeConfig? LoadConfig()
    {
        string? text = SecureFile.ReadAllTextOrNull(ConfigPath);
        return text is null ? null : NodeConfig.Parse(text, ConfigPath);
    }

    /// <summary>Writes node.json atomically (0600).</summary>
    public void SaveConfig(NodeConfig config)
    {
        EnsureDirectory(Directory);
        SecureFile.WriteAllText(ConfigPath, config.ToJson());
    }

    /// <summary>Creates a state folder (0700), turning I/O failures into a <see cref="StateFileException"/> that names it.</summary>
    private static void EnsureDirectory(string dir)
    {
        try { SecureFile.EnsureDirectory(dir); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(dir, $"Cannot create or use the state directory '{dir}': {ex.Message} Check that it is a directory writable by this user.", ex);
        }
    }

    /// <summary>Reads the device identity, or null when identity/device.json does not exist.</summary>
    /// <exception cref="StateFileException">The file is corrupt, unsafe, or its deviceId does not match its key.</exception>
    public DeviceIdentity? LoadIdentity()
    {
        string? text = SecureFile.ReadAllTextOrNull(IdentityPath);
        if (text is null) { return null; }
        JsonNode? root;
        try { root = Json.Parse(text); }
        catch (JsonException ex)
        {
            throw new StateFileException(IdentityPath, $"'{IdentityPath}' is not valid JSON (line {(ex.LineNumber ?? 0) + 1}): it may be truncated or corrupt. " +
                "Restore it from a backup, or move it away to create a new identity (the node must then be paired again); it was left unchanged.", ex);
        }
        if (root is not JsonObject obj) { throw BadIdentity("the top level must be a JSON object"); }
        long created = obj.Long("createdAtMs") ?? 0;
        DeviceIdentity identity;
        try
        {
            if (obj.Str("privateKeyPem") is string pem)
            {
                identity = DeviceIdentity.FromPkcs8Pem(pem, created);
                if (obj.Str("publicKeyPem") is string pub && !Same(DeviceIdentity.PublicKeyFromSpkiPem(pub), identity.PublicKeyRaw))
                {
                    throw BadIdentity("'publicKeyPem' does not belong to 'privateKeyPem'");
                }
            }
            else if (obj.Str("privateKey") is string seed)
            {
                identity = DeviceIdentity.FromSeed(Base64Url.Decode(seed), created);
            }
            else
            {
                throw BadIdentity("it has neither 'privateKeyPem' nor 'privateKey'");
            }
        }
        catch (FormatException ex) { throw BadIdentity(ex.Message.TrimEnd('.')); }
        catch (ArgumentException ex) { throw BadIdentity(ex.Message.TrimEnd('.')); }
        string? stored = obj.Str("deviceId");
        if (stored is not null && !string.Equals(stored, identity.DeviceId, StringComparison.OrdinalIgnoreCase))
        {
            throw BadIdentity($"'deviceId' {stored} does not match the key (which gives {identity.DeviceId})");
        }
        return identity;
    }

    /// <summary>Loads the identity, or creates and saves a new one when none exists.</summary>
    public DeviceIdentity LoadOrCreateIdentity(out bool created)
    {
        DeviceIdentity? existing = LoadIdentity();
        created = existing is null;
        if (existing is not null) { return existing; }
        DeviceIdentity identity = DeviceIdentity.Generate();
        SaveIdentity(identity);
        return identity;
    }

    /// <summary>Writes identity/device.json atomically (folder 0700, file 0600).</summary>
    public void SaveIdentity(DeviceIdentity identity)
    {
        EnsureDirectory(Directory);
        EnsureDirectory(Path.GetDirectoryName(IdentityPath)!);
        var obj = new JsonObject
        {
            ["version"] = 1,
            ["deviceId"] = identity.DeviceId,
            ["publicKeyPem"] = identity.PublicKeySpkiPem,
            ["privateKeyPem"] = identity.PrivateKeyPkcs8Pem,
            ["createdAtMs"] = identity.CreatedAtMs,
        };
        SecureFile.WriteAllText(IdentityPath, Json.Indented(obj) + "\n");
    }

    private static bool Same(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) { return false; }
        for (int i = 0; i < a.Length; i++) { if (a[i] != b[i]) { return false; } }
        return true;
    }

    private StateFileException BadIdentity(string what) =>
        new(IdentityPath, $"'{IdentityPath}' is not a valid device identity: {what}. Restore it from a backup, or move it away to create a new identity (the node must then be paired again); it was left unchanged.");
}
