using System;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;

namespace OpenClaw.Bench;

/// <summary>
/// The floor: the smallest node that answers through the same gateway path. It connects as a node offering only
/// <c>system.which</c> and answers every <c>node.invoke.request</c> at once with a canned payload (no lookup, no
/// process, no approvals), so its round trip is the gateway's and the operator's share alone. The bench starts it as
/// its own process (<c>floor-node</c>), with its key in the given state directory so it pairs once like the real hosts.
/// </summary>
internal sealed class Floor : IAsyncDisposable
{
    private const string Canned = "{\"bins\":{\"sh\":\"/bin/sh\"}}";
    private readonly DeviceIdentity _identity;
    private readonly CancellationTokenSource _stop = new();
    private GatewayConnection? _conn;
    private Task? _loop;

    private Floor(DeviceIdentity identity) => _identity = identity;

    /// <summary>Serves until killed.</summary>
    public static async Task<int> RunAsync(int port, string token, string stateDir, string displayName)
    {
        string keyFile = Path.Combine(stateDir, "floor-key.pem");
        DeviceIdentity id;
        if (File.Exists(keyFile)) { id = DeviceIdentity.FromPkcs8Pem(File.ReadAllText(keyFile), 0); }
        else { id = DeviceIdentity.Generate(); SecureFile.WriteAllText(keyFile, id.PrivateKeyPkcs8Pem); }
        await using var floor = new Floor(id);
        floor.Start(port, token, displayName);
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    /// <summary>Connects (retrying while the gateway asks for pairing) and serves until disposed.</summary>
    public void Start(int port, string token, string displayName)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    GatewayConnection conn = await GatewayConnection.OpenAsync(new GatewaySettings { Port = port }, new NullNodeLog(), TimeSpan.FromSeconds(15), _stop.Token);
                    conn.OnEvent = (name, frame) =>
                    {
                        if (name != "node.invoke.request" || frame["payload"] is not JsonObject p) { return; }
                        var result = new JsonObject { ["id"] = p.Str("id"), ["nodeId"] = _identity.DeviceId, ["ok"] = true, ["payloadJSON"] = Canned };
                        _ = conn.RequestAsync("node.invoke.result", result, TimeSpan.FromSeconds(30), _stop.Token);
                    };
                    var request = new ConnectRequest(new ClientInfo("node-host", "node", NodeHost.Version, displayName, HostPlatform.Platform, HostPlatform.DeviceFamily, null),
                        "node", Array.Empty<string>(), NodeHost.Caps, new[] { "system.which" }, null, new ConnectCredentials(Token: token), _identity);
                    await Handshake.ConnectAsync(conn, request, _stop.Token);
                    _conn = conn;
                    await conn.Closed;
                }
                catch (GatewayException)
                {
                    await Task.Delay(300, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
                catch (OperationCanceledException) { return; }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_conn is not null) { await _conn.CloseAsync(1000, "bench done", TimeSpan.FromSeconds(2)); }
        if (_loop is not null) { try { await _loop; } catch (OperationCanceledException) { } }
        _stop.Dispose();
    }
}
