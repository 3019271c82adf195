using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Status;

/// <summary>What the operating system says about a process id recorded in the status file.</summary>
internal enum ProcessCheck
{
    /// <summary>No process has this id (or it is a zombie waiting to be reaped).</summary>
    Gone,
    /// <summary>A process with this id runs and its start time matches the recorded one.</summary>
    Same,
    /// <summary>A process with this id runs but started at another time: the id was reused.</summary>
    Reused,
    /// <summary>A process with this id runs; its start time could not be read (another user's process on Windows).</summary>
    AliveUnverified,
}

/// <summary>
/// Identifies a process by id plus start time, so a reused pid is not mistaken for the node host. On Linux the start
/// time is the exact <c>starttime</c> field of <c>/proc/&lt;pid&gt;/stat</c> (clock ticks since boot); elsewhere
/// <see cref="Process.StartTime"/> compared with a tolerance of <see cref="StartTimeTolerance"/>.
/// </summary>
internal static class ProcessProbe
{
    /// <summary>How far two readings of one process's start time may differ (the boot-time base is re-derived per call).</summary>
    public static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(2);

    /// <summary>This process's id.</summary>
    public static int CurrentId
    {
        get
        {
            using Process p = Process.GetCurrentProcess();
            return p.Id;
        }
    }

    /// <summary>This process's start time (UTC; null where the platform cannot tell) and, on Linux, its <c>/proc</c> start ticks.</summary>
    public static (DateTimeOffset? StartedAt, long? StartTicks) Current()
    {
        using Process p = Process.GetCurrentProcess();
        DateTimeOffset? started;
        try { started = new DateTimeOffset(p.StartTime.ToUniversalTime()); }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException or PlatformNotSupportedException)
        {
            started = null;
        }
        return (started, LinuxStartTicks(p.Id, out _));
    }

    /// <summary>Checks whether <paramref name="pid"/> is still the process that started at <paramref name="startedAt"/> / <paramref name="startTicks"/>.</summary>
    public static ProcessCheck Check(int pid, DateTimeOffset? startedAt, long? startTicks)
    {
        if (pid <= 0) { return ProcessCheck.Gone; }
        if (HostPlatform.IsLinux && Directory.Exists("/proc/self"))
        {
            long? ticks = LinuxStartTicks(pid, out bool zombie);
            if (ticks is null || zombie) { return ProcessCheck.Gone; }
            if (startTicks is long recorded) { return recorded == ticks.Value ? ProcessCheck.Same : ProcessCheck.Reused; }
        }
        try
        {
            using Process p = Process.GetProcessById(pid);
            if (p.HasExited) { return ProcessCheck.Gone; }
            if (startedAt is null) { return ProcessCheck.AliveUnverified; }
            DateTimeOffset actual;
            try { actual = new DateTimeOffset(p.StartTime.ToUniversalTime()); }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException or UnauthorizedAccessException)
            {
                return ProcessCheck.AliveUnverified;
            }
            return (actual - startedAt.Value).Duration() <= StartTimeTolerance ? ProcessCheck.Same : ProcessCheck.Reused;
        }
        catch (ArgumentException)
        {
            return ProcessCheck.Gone;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException or UnauthorizedAccessException)
        {
            return ProcessCheck.AliveUnverified;
        }
    }

    /// <summary>Field 22 (<c>starttime</c>) of <c>/proc/&lt;pid&gt;/stat</c>, or null when unreadable or not Linux.</summary>
    internal static long? LinuxStartTicks(int pid, out bool zombie)
    {
        zombie = false;
        if (!HostPlatform.IsLinux) { return null; }
        string text;
        try { text = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
        return ParseStat(text, out zombie);
    }

    /// <summary>Parses a <c>/proc/&lt;pid&gt;/stat</c> line: the command name may contain spaces and parentheses, so fields are counted after the last <c>)</c>.</summary>
    internal static long? ParseStat(string text, out bool zombie)
    {
        zombie = false;
        int close = text.LastIndexOf(')');
        if (close < 0) { return null; }
        string[] fields = text.Substring(close + 1).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); starttime is field 22.
        if (fields.Length < 20) { return null; }
        zombie = fields[0] == "Z" || fields[0] == "X";
        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
    }
}
