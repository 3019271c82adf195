using System;
using System.Collections.Generic;
using System.Text;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Service;

/// <summary>
/// The per-user Scheduled Task <c>\OpenClaw Node</c> as Task Scheduler XML (schema 1.3, UTF-16 LE with BOM, as
/// <c>schtasks /Create /XML</c> expects).
/// </summary>
/// <remarks>
/// No console window: the action runs <c>%SystemRoot%\System32\conhost.exe --headless "openclaw-node.exe" run …</c>.
/// The console host in headless mode gives the console program its console without ever creating a window
/// (Windows 10 1809 and later), so nothing flashes at logon and there is no window a user could close; no script or
/// VBScript launcher is involved, and the task's "last result" is the host's own exit code. Triggers: at logon of
/// the user (an interactive-token task cannot start before logon; use the Windows service for boot start).
/// Restart on failure every minute (999 times), no execution time limit, one instance, not stopped on battery,
/// working directory = the state directory. The token is passed as <c>--token-file</c>, never in the XML.
/// Task Scheduler expands <c>%NAME%</c> in the command and arguments, so a value holding such a pair is expanded.
/// </remarks>
public static class ScheduledTaskDefinition
{
    /// <summary>The task path.</summary>
    public const string TaskName = "\\OpenClaw Node";

    /// <summary>The windowless launcher.</summary>
    public const string ConsoleHost = "%SystemRoot%\\System32\\conhost.exe";

    /// <summary>Renders the task XML as text (declared UTF-16).</summary>
    /// <param name="options">Validated options; <see cref="NodeServiceOptions.ServiceAccount"/> is the task's user (<c>DOMAIN\user</c>), required.</param>
    /// <param name="tokenFile">Full path of the owner-only token file, or null when the node already holds a device token.</param>
    public static string Render(NodeServiceOptions options, string? tokenFile)
    {
        options.Validate();
        string user = options.ServiceAccount ?? throw new ArgumentException("The Scheduled Task needs its user (DOMAIN\\user).", nameof(options));
        var args = new List<string> { options.ExecutablePath };
        args.AddRange(options.HostArguments(tokenFile));
        string arguments = "--headless " + ProcessArgs.Quote(args);
        string e(string s) => XmlText.Escape(s);
        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n");
        sb.Append("<Task version=\"1.3\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n");
        sb.Append("  <RegistrationInfo>\r\n");
        sb.Append("    <Description>OpenClaw Node Host (openclaw-node run), installed by Install-OpenClawNode. The gateway token is in an owner-only file, not here.</Description>\r\n");
        sb.Append("    <URI>").Append(e(TaskName)).Append("</URI>\r\n");
        sb.Append("  </RegistrationInfo>\r\n");
        sb.Append("  <Triggers>\r\n");
        sb.Append("    <LogonTrigger>\r\n");
        sb.Append("      <Enabled>true</Enabled>\r\n");
        sb.Append("      <UserId>").Append(e(user)).Append("</UserId>\r\n");
        sb.Append("    </LogonTrigger>\r\n");
        sb.Append("  </Triggers>\r\n");
        sb.Append("  <Principals>\r\n");
        sb.Append("    <Principal id=\"Author\">\r\n");
        sb.Append("      <UserId>").Append(e(user)).Append("</UserId>\r\n");
        sb.Append("      <LogonType>InteractiveToken</LogonType>\r\n");
        sb.Append("      <RunLevel>LeastPrivilege</RunLevel>\r\n");
        sb.Append("    </Principal>\r\n");
        sb.Append("  </Principals>\r\n");
        sb.Append("  <Settings>\r\n");
        sb.Append("    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\r\n");
        sb.Append("    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\r\n");
        sb.Append("    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\r\n");
        sb.Append("    <AllowHardTerminate>true</AllowHardTerminate>\r\n");
        sb.Append("    <StartWhenAvailable>true</StartWhenAvailable>\r\n");
        sb.Append("    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>\r\n");
        sb.Append("    <IdleSettings>\r\n");
        sb.Append("      <StopOnIdleEnd>false</StopOnIdleEnd>\r\n");
        sb.Append("      <RestartOnIdle>false</RestartOnIdle>\r\n");
        sb.Append("    </IdleSettings>\r\n");
        sb.Append("    <AllowStartOnDemand>true</AllowStartOnDemand>\r\n");
        sb.Append("    <Enabled>true</Enabled>\r\n");
        sb.Append("    <Hidden>true</Hidden>\r\n");
        sb.Append("    <RunOnlyIfIdle>false</RunOnlyIfIdle>\r\n");
        sb.Append("    <WakeToRun>false</WakeToRun>\r\n");
        sb.Append("    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>\r\n");
        sb.Append("    <Priority>7</Priority>\r\n");
        sb.Append("    <RestartOnFailure>\r\n");
        sb.Append("      <Interval>PT1M</Interval>\r\n");
        sb.Append("      <Count>999</Count>\r\n");
        sb.Append("    </RestartOnFailure>\r\n");
        sb.Append("  </Settings>\r\n");
        sb.Append("  <Actions Context=\"Author\">\r\n");
        sb.Append("    <Exec>\r\n");
        sb.Append("      <Command>").Append(e(ConsoleHost)).Append("</Command>\r\n");
        sb.Append("      <Arguments>").Append(e(arguments)).Append("</Arguments>\r\n");
        sb.Append("      <WorkingDirectory>").Append(e(options.StateDirectory)).Append("</WorkingDirectory>\r\n");
        sb.Append("    </Exec>\r\n");
        sb.Append("  </Actions>\r\n");
        sb.Append("</Task>\r\n");
        return sb.ToString();
    }

    /// <summary>The bytes <c>schtasks /Create /XML</c> reads: UTF-16 little endian with a byte-order mark.</summary>
    public static byte[] Encode(string xml)
    {
        byte[] bom = Encoding.Unicode.GetPreamble();
        byte[] body = Encoding.Unicode.GetBytes(xml);
        var all = new byte[bom.Length + body.Length];
        Buffer.BlockCopy(bom, 0, all, 0, bom.Length);
        Buffer.BlockCopy(body, 0, all, bom.Length, body.Length);
        return all;
    }
}

/// <summary>
/// The boot-start Windows service <c>openclaw-node</c>: the exact <c>sc.exe</c> and <c>icacls.exe</c> command lines
/// that create and configure it, and the registry values they leave under
/// <c>HKLM\SYSTEM\CurrentControlSet\Services\openclaw-node</c>.
/// </summary>
/// <remarks>
/// Start type delayed automatic (boot, after the network stack), recovery: restart after 5 s, 30 s, 60 s, failure
/// counter reset after a day, and <c>failureflag 1</c> so a non-zero exit (not only a crash) triggers recovery;
/// service SID type unrestricted so the state directory can be ACL'd to <c>NT SERVICE\openclaw-node</c>. The token
/// file in the state directory is readable only by the service account, SYSTEM and Administrators. <c>ImagePath</c> is
/// REG_EXPAND_SZ, so a value containing <c>%NAME%</c> is expanded by the SCM (as Task Scheduler does for task arguments).
/// </remarks>
public static class WindowsServiceDefinition
{
    /// <summary>Service name.</summary>
    public const string ServiceName = "openclaw-node";

    /// <summary>Display name.</summary>
    public const string DisplayName = "OpenClaw Node Host";

    /// <summary>The account name for the chosen kind: <c>NT SERVICE\openclaw-node</c>, <c>NT AUTHORITY\LocalService</c> or the gMSA.</summary>
    public static string AccountName(NodeServiceOptions options) => options.WindowsAccount switch
    {
        WindowsServiceAccountKind.LocalService => "NT AUTHORITY\\LocalService",
        WindowsServiceAccountKind.ManagedServiceAccount => ValidGmsa(options.ServiceAccount),
        _ => "NT SERVICE\\" + ServiceName,
    };

    private static string ValidGmsa(string? account)
    {
        if (string.IsNullOrWhiteSpace(account) || !account!.EndsWith("$", StringComparison.Ordinal) || account.IndexOf('\\') <= 0)
        {
            throw new ArgumentException($"A group managed service account is named DOMAIN\\name$ (got '{account}'). Install it on this computer first (Install-ADServiceAccount).");
        }
        return account;
    }

    /// <summary>The service's command line (<c>ImagePath</c>): quoted executable and arguments, CommandLineToArgvW rules.</summary>
    public static string BinaryPath(NodeServiceOptions options, string? tokenFile)
    {
        var args = new List<string> { options.ExecutablePath };
        args.AddRange(options.HostArguments(tokenFile));
        args.Add("--windows-service");
        string q = ProcessArgs.Quote(args);
        // CreateService needs the executable quoted when its path has spaces; ProcessArgs already does that.
        return q;
    }

    /// <summary>The registry key of the event log source <c>OpenClaw Node</c> (created at install, deleted at uninstall).</summary>
    public const string EventSourceKey = @"HKLM\" + Hosting.WindowsEventLogSink.RegistryKey;

    /// <summary>The commands that create and configure the service, in order; each is an argv list (first item the program).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Commands(NodeServiceOptions options, string? tokenFile)
    {
        options.Validate();
        string account = AccountName(options);
        var create = new List<string> { "sc.exe", "create", ServiceName, "binPath=", BinaryPath(options, tokenFile), "start=", "delayed-auto", "obj=", account, "DisplayName=", DisplayName };
        if (options.WindowsAccount != WindowsServiceAccountKind.VirtualAccount) { create.Add("password="); create.Add(string.Empty); }
        return new IReadOnlyList<string>[]
        {
            create,
            new[] { "sc.exe", "description", ServiceName, "Runs the OpenClaw node host (openclaw-node run) for the gateway. Installed by Install-OpenClawNode." },
            new[] { "sc.exe", "failure", ServiceName, "reset=", "86400", "actions=", "restart/5000/restart/30000/restart/60000" },
            new[] { "sc.exe", "failureflag", ServiceName, "1" },
            new[] { "sc.exe", "sidtype", ServiceName, "unrestricted" },
            new[] { "icacls.exe", options.StateDirectory, "/inheritance:r", "/grant:r", account + ":(OI)(CI)F", "/grant:r", "*S-1-5-18:(OI)(CI)F", "/grant:r", "*S-1-5-32-544:(OI)(CI)F" },
            // The Application event log source "OpenClaw Node" the host logs to (registering one needs an administrator).
            new[] { "reg.exe", "add", EventSourceKey, "/v", "EventMessageFile", "/t", "REG_EXPAND_SZ", "/d", Hosting.WindowsEventLogSink.MessageFile, "/f" },
            new[] { "reg.exe", "add", EventSourceKey, "/v", "TypesSupported", "/t", "REG_DWORD", "/d", "7", "/f" },
        };
    }

    /// <summary>The configuration as a reviewable script: the commands, one per line, then the resulting registry values.</summary>
    public static string Render(NodeServiceOptions options, string? tokenFile)
    {
        var sb = new StringBuilder();
        sb.Append("rem OpenClaw Node Host as a boot-start Windows service. The token is in an ACL'd file, not here.\r\n");
        sb.Append("rem Each line is one program and its argv (CommandLineToArgvW quoting). Install-OpenClawNode runs them elevated WITHOUT a shell;\r\n");
        sb.Append("rem do not paste them into cmd.exe, which would treat %, &, < and > in values specially.\r\n");
        foreach (IReadOnlyList<string> c in Commands(options, tokenFile)) { sb.Append(ProcessArgs.Quote(c)).Append("\r\n"); }
        sb.Append("rem Registry: HKLM\\SYSTEM\\CurrentControlSet\\Services\\").Append(ServiceName).Append("\r\n");
        sb.Append("rem   Type         REG_DWORD     0x10 (own process)\r\n");
        sb.Append("rem   Start        REG_DWORD     0x2 (automatic), DelayedAutostart REG_DWORD 0x1\r\n");
        sb.Append("rem   ErrorControl REG_DWORD     0x1\r\n");
        sb.Append("rem   ImagePath    REG_EXPAND_SZ ").Append(BinaryPath(options, tokenFile)).Append("\r\n");
        sb.Append("rem   ObjectName   REG_SZ        ").Append(AccountName(options)).Append("\r\n");
        sb.Append("rem   ServiceSidType REG_DWORD   0x1, FailureActionsOnNonCrashFailures REG_DWORD 0x1\r\n");
        return sb.ToString();
    }
}

/// <summary>The macOS LaunchAgent <c>ai.openclaw.node</c> as a property list (XML, UTF-8).</summary>
/// <remarks>
/// <c>RunAtLoad</c>, <c>KeepAlive</c> (restart whenever it exits; <c>ThrottleInterval</c> 10 s), <c>Umask</c> 63
/// (octal 077, files owner-only), stdin from /dev/null, stdout and stderr appended to the log file, working directory
/// = the state directory. The token is passed as <c>--token-file</c>, never in the plist.
/// </remarks>
public static class LaunchAgentDefinition
{
    /// <summary>The launchd label.</summary>
    public const string Label = "ai.openclaw.node";

    /// <summary>Renders the plist.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="tokenFile">Full path of the owner-only token file, or null.</param>
    /// <param name="logFile">Full path of the log file (default <c>~/Library/Logs/openclaw/node.log</c>).</param>
    public static string Render(NodeServiceOptions options, string? tokenFile, string logFile)
    {
        options.Validate();
        var args = new List<string> { options.ExecutablePath };
        args.AddRange(options.HostArguments(tokenFile));
        string e(string s) => XmlText.Escape(s);
        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.Append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        sb.Append("<plist version=\"1.0\">\n");
        sb.Append("<dict>\n");
        sb.Append("  <key>Label</key>\n  <string>").Append(Label).Append("</string>\n");
        sb.Append("  <key>ProgramArguments</key>\n  <array>\n");
        foreach (string a in args) { sb.Append("    <string>").Append(e(a)).Append("</string>\n"); }
        sb.Append("  </array>\n");
        sb.Append("  <key>RunAtLoad</key>\n  <true/>\n");
        sb.Append("  <key>KeepAlive</key>\n  <true/>\n");
        sb.Append("  <key>ThrottleInterval</key>\n  <integer>10</integer>\n");
        sb.Append("  <key>ExitTimeOut</key>\n  <integer>20</integer>\n");
        sb.Append("  <key>Umask</key>\n  <integer>63</integer>\n");
        sb.Append("  <key>WorkingDirectory</key>\n  <string>").Append(e(options.StateDirectory)).Append("</string>\n");
        sb.Append("  <key>StandardInPath</key>\n  <string>/dev/null</string>\n");
        sb.Append("  <key>StandardOutPath</key>\n  <string>").Append(e(logFile)).Append("</string>\n");
        sb.Append("  <key>StandardErrorPath</key>\n  <string>").Append(e(logFile)).Append("</string>\n");
        sb.Append("</dict>\n");
        sb.Append("</plist>\n");
        return sb.ToString();
    }

    /// <summary>Reads <c>ProgramArguments</c> back out of a plist (XML form).</summary>
    public static IReadOnlyList<string> ReadProgramArguments(string plist)
    {
        var doc = System.Xml.Linq.XDocument.Parse(plist);
        var dict = doc.Root!.Element("dict")!;
        System.Xml.Linq.XElement? prev = null;
        foreach (System.Xml.Linq.XElement el in dict.Elements())
        {
            if (prev is not null && prev.Name == "key" && prev.Value == "ProgramArguments" && el.Name == "array")
            {
                var list = new List<string>();
                foreach (System.Xml.Linq.XElement s in el.Elements("string")) { list.Add(s.Value); }
                return list;
            }
            prev = el;
        }
        return Array.Empty<string>();
    }
}

/// <summary>XML text/attribute escaping for the generated definitions.</summary>
internal static class XmlText
{
    public static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
