using System;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>One real gateway with default settings (loopback devices are approved silently; command surfaces are not).</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public RealGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await RealGateway.StartAsync();

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

[CollectionDefinition("gateway")]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture> { }

/// <summary>A fresh state directory for one node, deleted afterwards.</summary>
public sealed class StateDir : IDisposable
{
    public StateDir() => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "oc-node-" + Guid.NewGuid().ToString("N").Substring(0, 10));

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a state file before the node starts, owner-only (0600) as the node requires.</summary>
    public void WriteOwnerOnly(string name, string text)
    {
        Directory.CreateDirectory(Path);
        System.IO.File.WriteAllText(File(name), text);
        System.IO.File.SetUnixFileMode(File(name), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
