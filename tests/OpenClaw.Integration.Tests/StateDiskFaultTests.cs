using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Hosting;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Integration.Tests;

/// <summary>
/// A small tmpfs mounted in a private mount namespace (<c>unshare -m --propagation private</c>, root) held by a
/// <c>sleep</c> process this class starts and kills. Nothing outside the namespace sees the mount; other processes (our
/// node host, the test itself) reach it through the holder's root, <c>/proc/&lt;pid&gt;/root/&lt;mountpoint&gt;</c>, so
/// their writes really land on that tmpfs: ENOSPC when it is full, EROFS under a read-only bind mount. Tests run as
/// root, where chmod does not stop writes; a real file system does.
/// </summary>
public sealed class PrivateTmpfs : IDisposable
{
    private readonly Process _holder;
    private readonly string _mountPoint;

    private PrivateTmpfs(Process holder, string mountPoint)
    {
        _holder = holder;
        _mountPoint = mountPoint;
    }

    /// <summary>The tmpfs as this process sees it (through the holder's root).</summary>
    public string Root => $"/proc/{_holder.Id}/root{_mountPoint}";

    /// <summary>Why the tests cannot run here, or null when unshare, nsenter and mount are usable (Linux, root).</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux()) { return "needs Linux mount namespaces"; }
        if (Environment.UserName != "root") { return "needs root for unshare -m and mount (CI runs as root)"; }
        foreach (string tool in new[] { "unshare", "nsenter", "mount" })
        {
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)))) { return $"needs util-linux {tool}"; }
        }
        return null;
    }

    /// <summary>Mounts a tmpfs of <paramref name="sizeKiB"/> KiB in a new private mount namespace.</summary>
    public static async Task<PrivateTmpfs> MountAsync(int sizeKiB)
    {
        string mountPoint = Path.Combine(Path.GetTempPath(), "oc-tmpfs-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        Directory.CreateDirectory(mountPoint);
        var psi = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-m", "--propagation", "private", "sh", "-c",
                     $"mount -t tmpfs -o size={sizeKiB}k,mode=0700 oc-test '{mountPoint}' && echo mounted && exec sleep 1800" })
        {
            psi.ArgumentList.Add(a);
        }
        Process p = Process.Start(psi)!;
        string? first = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (first != "mounted")
        {
            string err = await p.StandardError.ReadToEndAsync();
            try { p.Kill(); } catch (InvalidOperationException) { }
            throw new InvalidOperationException($"unshare/mount failed: {err}");
        }
        return new PrivateTmpfs(p, mountPoint);
    }

    /// <summary>Runs a shell script inside the namespace (nsenter), failing on a non-zero exit.</summary>
    public string Run(string script)
    {
        var psi = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-t", _holder.Id.ToString(), "-m", "sh", "-c", script }) { psi.ArgumentList.Add(a); }
        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { throw new InvalidOperationException($"nsenter sh -c '{script}' exited {p.ExitCode}: {err}"); }
        return output;
    }

    /// <summary>Writes zeros until the file system is full (dd stops on ENOSPC).</summary>
    public void Fill() => Run($"dd if=/dev/zero of='{_mountPoint}/fill' bs=4k 2>/dev/null; test -s '{_mountPoint}/fill'");

    public void Free() => Run($"rm -f '{_mountPoint}/fill'");

    /// <summary>Makes <paramref name="relative"/> read-only with a read-only bind mount over it (open files are unaffected).</summary>
    public void MakeReadOnly(string relative) => Run($"mount --bind '{_mountPoint}/{relative}' '{_mountPoint}/{relative}' && mount -o remount,bind,ro '{_mountPoint}/{relative}'");

    public void MakeWritable(string relative) => Run($"umount '{_mountPoint}/{relative}'");

    public void Dispose()
    {
        try { _holder.Kill(); _holder.WaitForExit(10000); } catch (InvalidOperationException) { }
        _holder.Dispose();
        try { Directory.Delete(_mountPoint); } catch (IOException) { }
    }
}

/// <summary>A fact that needs a private mount namespace (root, unshare, nsenter); skipped with the reason otherwise.</summary>
public sealed class MountNamespaceFactAttribute : FactAttribute
{
    public MountNamespaceFactAttribute()
    {
        if (PrivateTmpfs.Unavailable() is string why) { Skip = "Disk-full/read-only state tests skipped: " + why + "."; }
    }
}

/// <summary>
/// The host's own files on a full or read-only file system (issue 7): real tmpfs mounts in a private mount namespace,
/// the real gateway, our host as a real process. The device token issued at pairing cannot be saved: the host says which
/// file and why, keeps serving with the token in memory, never tears node.json, leaves no temp files, and after space is
/// freed (or the file system is writable again) a restart stores the token under the same identity. A host that cannot
/// even create its lock file exits with 74 (StateWriteFailed), which the service restarts (not in RestartPreventExitStatus).
/// </summary>
public sealed class StateDiskFaultTests : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private readonly RealGateway _gw;

    public StateDiskFaultTests(GatewayFixture fixture) => _gw = fixture.Gateway;

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static JsonObject ReadJson(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;

    private static string[] TempFiles(string dir) => Directory.GetFiles(dir, ".*.tmp").Select(Path.GetFileName).ToArray()!;

    /// <summary>
    /// Starts the host against a port where nothing listens yet, so it writes its identity and node.json (no token) and
    /// retries; the test then breaks the file system and opens the port (a proxy to the real gateway): the first
    /// hello-ok carries the device token, whose save fails.
    /// </summary>
    private async Task<(NodeProcess Node, int Port, string Before)> StartWaitingForGateway(string stateDir, string name)
    {
        int port = FreePort();
        NodeProcess node = NodeProcess.StartAt(port, _gw, stateDir, extra: new[] { "--display-name", name });
        await node.WaitForStateAsync("Reconnecting", Wait);
        string before = File.ReadAllText(Path.Combine(stateDir, "node.json"));
        Assert.Null(ReadJson(Path.Combine(stateDir, "node.json")).Str("token"));
        return (node, port, before);
    }

    private static async Task AssertTokenNotSavedButServing(NodeProcess node, string stateDir, string before, string cause)
    {
        JsonObject connected = await node.WaitForStateAsync("Connected", Wait);
        string nodeJson = Path.Combine(stateDir, "node.json");
        await node.WaitForAsync(_ => node.Stderr.Contains("Could not store the device token"), Wait);
        string err = node.Stderr;
        Assert.Contains($"Could not write '{nodeJson}'", err);     // names the file
        Assert.Contains(cause, err);                              // and the cause
        Assert.Contains("The previous file is unchanged", err);
        Assert.False(node.HasExited, "the host must keep its session when only the token cannot be saved");
        // node.json intact: byte for byte the file from before the token arrived, valid JSON, no token.
        Assert.Equal(before, File.ReadAllText(nodeJson));
        Assert.Null(ReadJson(nodeJson).Str("token"));
        Assert.Empty(TempFiles(stateDir));
        // The status file (when it could be written) or the status line says what happened.
        Assert.Equal(connected.Str("deviceId"), ReadJson(Path.Combine(stateDir, "identity", "device.json")).Str("deviceId"));
    }

    private async Task AssertRestartStoresToken(string stateDir, int port, string deviceId, string name)
    {
        NodeProcess again = NodeProcess.StartAt(port, _gw, stateDir, extra: new[] { "--display-name", name });
        await using var _ = again;
        JsonObject up = await again.WaitForStateAsync("Connected", Wait);
        Assert.Equal(deviceId, up.Str("deviceId"));
        await again.WaitForAsync(_ => again.Stderr.Contains("Stored the device token") || again.Stderr.Contains("Saved"), Wait);
        Assert.False(string.IsNullOrEmpty(ReadJson(Path.Combine(stateDir, "node.json")).Str("token")));
        Assert.Empty(TempFiles(stateDir));
    }

    [MountNamespaceFact]
    public async Task Disk_full_while_saving_the_device_token_keeps_serving_leaves_node_json_intact_and_recovers_after_space_is_freed()
    {
        using PrivateTmpfs fs = await PrivateTmpfs.MountAsync(1024);
        string stateDir = Path.Combine(fs.Root, "state");
        var (node, port, before) = await StartWaitingForGateway(stateDir, "disk-full");
        string deviceId;
        await using (node)
        {
            fs.Fill();
            using var proxy = new LoopbackProxy(_gw.Port, port);
            await AssertTokenNotSavedButServing(node, stateDir, before, "the disk is full (ENOSPC)");
            deviceId = node.Statuses.Last(s => s.Str("state") == "Connected").Str("deviceId")!;
            Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(30)));
            fs.Free();
            await AssertRestartStoresToken(stateDir, port, deviceId, "disk-full");
        }
    }

    [MountNamespaceFact]
    public async Task Read_only_state_directory_while_saving_the_token_then_at_start_exits_74_and_recovers_when_writable()
    {
        using PrivateTmpfs fs = await PrivateTmpfs.MountAsync(1024);
        string stateDir = Path.Combine(fs.Root, "state");
        var (node, port, before) = await StartWaitingForGateway(stateDir, "read-only");
        string deviceId;
        using var proxy = new LoopbackProxy(_gw.Port, port);
        await using (node)
        {
            fs.MakeReadOnly("state");
            await AssertTokenNotSavedButServing(node, stateDir, before, "the file system is read-only (EROFS)");
            deviceId = node.Statuses.Last(s => s.Str("state") == "Connected").Str("deviceId")!;
            Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(30)));
        }

        // Still read-only: a new host cannot create its lock file. It fails at once with a clear error and exit 74
        // (not 78: the service's RestartPreventExitStatus does not stop restarts, so it comes back once writable).
        NodeProcess blocked = NodeProcess.StartAt(port, _gw, stateDir);
        await using (blocked)
        {
            Assert.Equal(NodeHostExitCodes.StateWriteFailed, await blocked.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            JsonObject failed = await blocked.WaitForStateAsync("Failed", TimeSpan.FromSeconds(10));
            Assert.Contains(Path.Combine(stateDir, "node.lock"), failed.Str("message"));
            Assert.Contains("read-only (EROFS)", failed.Str("message"));
        }
        Assert.Equal(before, File.ReadAllText(Path.Combine(stateDir, "node.json")));

        fs.MakeWritable("state");
        await AssertRestartStoresToken(stateDir, port, deviceId, "read-only");
    }
}

/// <summary>The atomic writer (State/SecureFile.cs) on a real full or read-only tmpfs (see <see cref="PrivateTmpfs"/>).</summary>
public sealed class SecureFileTmpfsTests
{
    private static string[] TempFiles(string dir) => Directory.GetFiles(dir, ".*.tmp").Select(Path.GetFileName).ToArray()!;

    [MountNamespaceFact]
    public async Task SecureFile_on_a_full_tmpfs_fails_with_ENOSPC_keeps_the_old_content_and_leaves_no_temp_file()
    {
        using PrivateTmpfs fs = await PrivateTmpfs.MountAsync(256);
        string dir = Path.Combine(fs.Root, "s");
        string file = Path.Combine(dir, "node.json");
        SecureFile.WriteAllText(file, "{\"version\":1}");
        fs.Fill();
        // Larger than anything left: the temp file cannot be written.
        var ex = Assert.Throws<StateFileException>(() => SecureFile.WriteAllText(file, "{\"token\":\"" + new string('x', 64 * 1024) + "\"}"));
        Assert.True(ex.StorageUnavailable);
        Assert.Equal(file, ex.Path);
        Assert.Contains($"Could not write '{file}'", ex.Message);
        Assert.Contains("the disk is full (ENOSPC)", ex.Message);
        Assert.Equal("{\"version\":1}", File.ReadAllText(file));
        Assert.Empty(TempFiles(dir));

        fs.Free();
        SecureFile.WriteAllText(file, "{\"version\":2}");
        Assert.Equal("{\"version\":2}", File.ReadAllText(file));
        Assert.Empty(TempFiles(dir));
    }

    [MountNamespaceFact]
    public async Task SecureFile_under_a_read_only_mount_fails_with_EROFS_and_keeps_the_old_content()
    {
        using PrivateTmpfs fs = await PrivateTmpfs.MountAsync(256);
        string dir = Path.Combine(fs.Root, "s");
        string file = Path.Combine(dir, "node.json");
        SecureFile.WriteAllText(file, "{\"version\":1}");
        fs.MakeReadOnly("s");
        var ex = Assert.Throws<StateFileException>(() => SecureFile.WriteAllText(file, "{\"version\":2}"));
        Assert.True(ex.StorageUnavailable);
        Assert.Contains("the file system is read-only (EROFS)", ex.Message);
        Assert.Equal("{\"version\":1}", File.ReadAllText(file));
        fs.MakeWritable("s");
        Assert.Empty(TempFiles(dir));
        SecureFile.WriteAllText(file, "{\"version\":2}");
        Assert.Equal("{\"version\":2}", File.ReadAllText(file));
    }
}
