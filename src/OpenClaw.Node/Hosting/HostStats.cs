using System;
using System.Globalization;
using System.IO;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// The <c>node.host.stats</c> payload (spec §6.3): <c>{cpuCount, loadAverage?, memoryTotalBytes, memoryFreeBytes,
/// diskTotalBytes?, diskAvailableBytes?}</c>. Returns null where memory figures cannot be read (then nothing is sent).
/// </summary>
internal static class HostStats
{
    public static JsonObject? Collect()
    {
        var stats = new JsonObject { ["cpuCount"] = Math.Max(1, Math.Min(4096, Environment.ProcessorCount)) };
        if (HostPlatform.IsLinux)
        {
            double[]? load = ReadLoadAverage();
            if (load is not null && (load[0] > 0 || load[1] > 0 || load[2] > 0))
            {
                stats["loadAverage"] = new JsonArray(Clamp(load[0]), Clamp(load[1]), Clamp(load[2]));
            }
            (long total, long free)? mem = ReadMemInfo();
            if (mem is null) { return null; }
            stats["memoryTotalBytes"] = mem.Value.total;
            stats["memoryFreeBytes"] = Math.Min(mem.Value.free, mem.Value.total);
        }
        else
        {
            return null;
        }
        (long total, long available)? disk = ReadDisk(HostPlatform.HomeDirectory);
        if (disk is not null)
        {
            stats["diskTotalBytes"] = disk.Value.total;
            stats["diskAvailableBytes"] = Math.Min(disk.Value.available, disk.Value.total);
        }
        return stats;
    }

    private static double Clamp(double v) => Math.Round(Math.Max(0, Math.Min(100000, v)), 2);

    private static double[]? ReadLoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return new[]
            {
                double.Parse(parts[0], CultureInfo.InvariantCulture),
                double.Parse(parts[1], CultureInfo.InvariantCulture),
                double.Parse(parts[2], CultureInfo.InvariantCulture),
            };
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (long, long)? ReadMemInfo()
    {
        try
        {
            long total = -1, available = -1;
            foreach (string line in File.ReadAllLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) { total = Kb(line); }
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) { available = Kb(line); }
            }
            return total > 0 && available >= 0 ? (total, available) : null;
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long Kb(string line)
    {
        string[] parts = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static (long, long)? ReadDisk(string path)
    {
        try
        {
            DriveInfo? best = null;
            foreach (DriveInfo d in DriveInfo.GetDrives())
            {
                if (!d.IsReady) { continue; }
                string root = d.RootDirectory.FullName;
                if (path.StartsWith(root, HostPlatform.PathComparison) && (best is null || root.Length > best.RootDirectory.FullName.Length)) { best = d; }
            }
            return best is null || best.TotalSize <= 0 ? null : (best.TotalSize, best.AvailableFreeSpace);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
