using System;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// Writes log lines to the Windows Application event log under the source <see cref="SourceName"/> (Info as
/// Information, Warning as Warning, Error as Error; Debug never goes there). The source is registered at install time
/// by the elevated service install (<see cref="RegistryKey"/>, message file <see cref="MessageFile"/>); without it the
/// sink is not created. Windows only.
/// </summary>
public sealed class WindowsEventLogSink : INodeLog
{
    /// <summary>The event source name.</summary>
    public const string SourceName = "OpenClaw Node";

    /// <summary>The registry key that registers the source (under HKEY_LOCAL_MACHINE).</summary>
    public const string RegistryKey = @"SYSTEM\CurrentControlSet\Services\EventLog\Application\" + SourceName;

    /// <summary>The message file registered for the source: the .NET Framework's, which maps every event id to "%1".</summary>
    public const string MessageFile = @"%SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll";

    /// <summary>The longest message the event log takes (31 839 characters); longer ones are cut.</summary>
    public const int MaxMessageLength = 31839;

    private WindowsEventLogSink() { }

    /// <summary>The sink when running on Windows with the source registered; otherwise null.</summary>
    public static WindowsEventLogSink? TryCreate()
    {
#if NET
        if (!OperatingSystem.IsWindows()) { return null; }
#else
        if (!Internal.HostPlatform.IsWindows) { return null; }
#endif
        try
        {
            return SourceRegistered() ? new WindowsEventLogSink() : null;
        }
        catch (Exception ex) when (ex is System.Security.SecurityException or UnauthorizedAccessException or System.IO.IOException)
        {
            return null;
        }
    }

#if NET
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
    private static bool SourceRegistered()
    {
        using var hklm = Microsoft.Win32.RegistryKey.OpenBaseKey(Microsoft.Win32.RegistryHive.LocalMachine, Microsoft.Win32.RegistryView.Registry64);
        using Microsoft.Win32.RegistryKey? key = hklm.OpenSubKey(RegistryKey, writable: false);
        return key is not null;
    }

    /// <inheritdoc />
    public void Write(NodeLogLevel level, string message)
    {
        if (level == NodeLogLevel.Debug) { return; }
#if NET
        if (!OperatingSystem.IsWindows()) { return; }
#endif
        WriteEntry(level, message.Length > MaxMessageLength ? message.Substring(0, MaxMessageLength) : message);
    }

#if NET
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
    private static void WriteEntry(NodeLogLevel level, string message)
    {
        var type = level switch
        {
            NodeLogLevel.Warning => System.Diagnostics.EventLogEntryType.Warning,
            NodeLogLevel.Error => System.Diagnostics.EventLogEntryType.Error,
            _ => System.Diagnostics.EventLogEntryType.Information,
        };
        System.Diagnostics.EventLog.WriteEntry(SourceName, message, type, level == NodeLogLevel.Error ? 3 : level == NodeLogLevel.Warning ? 2 : 1);
    }
}
