using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace OpenClaw.PowerShell.Host;

/// <summary>
/// openclaw-pshost: runs a PowerShell script in a real PowerShell 7.6 engine hosted in this process, or parses
/// PowerShell files with PowerShell's own parser. A test tool for machines without pwsh.
/// <code>
/// openclaw-pshost run &lt;script.ps1&gt;     runs the script; each output object's string on its own line of stdout,
///                                     errors on stderr; exit 0 when the script raised no error, 1 otherwise
/// openclaw-pshost parse &lt;file&gt;...      parses .ps1/.psm1/.psd1 files; "path:line:column: message" on stdout per parse
///                                     error; exit 0 when every file parses, 1 otherwise
/// </code>
/// Usage errors exit 2.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    /// <param name="args">The command (run or parse) and its files.</param>
    /// <returns>0 success, 1 failure, 2 usage error.</returns>
    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "run" && args.Length == 2) { return Run(args[1]); }
        if (args.Length >= 2 && args[0] == "parse") { return Parse(args[1..]); }
        Console.Error.WriteLine("usage: openclaw-pshost run <script.ps1> | openclaw-pshost parse <file>...");
        return 2;
    }

    private static int Run(string script)
    {
        if (!File.Exists(script))
        {
            Console.Error.WriteLine($"openclaw-pshost: script not found: {script}");
            return 2;
        }
        using var ps = System.Management.Automation.PowerShell.Create(SessionState());
        ps.AddScript(File.ReadAllText(script));
        bool failed = false;
        try
        {
            foreach (PSObject o in ps.Invoke()) { Console.Out.WriteLine(o?.ToString() ?? string.Empty); }
        }
        catch (RuntimeException ex)
        {
            Console.Error.WriteLine($"openclaw-pshost: {ex.ErrorRecord?.FullyQualifiedErrorId}: {ex.Message}");
            Console.Error.WriteLine(ex.ErrorRecord?.ScriptStackTrace);
            failed = true;
        }
        foreach (ErrorRecord e in ps.Streams.Error)
        {
            Console.Error.WriteLine($"openclaw-pshost: error {e.FullyQualifiedErrorId}: {e}");
            Console.Error.WriteLine(e.InvocationInfo?.PositionMessage);
            failed = true;
        }
        foreach (WarningRecord w in ps.Streams.Warning) { Console.Error.WriteLine($"openclaw-pshost: warning: {w.Message}"); }
        Console.Out.Flush();
        return failed ? 1 : 0;
    }

    /// <summary>The core commands plus the cmdlets of Microsoft.PowerShell.Management and .Utility (Join-Path,
    /// Get-ChildItem, Select-Object, ConvertTo-Json, ...), which a host without $PSHOME/Modules does not get by itself.</summary>
    private static InitialSessionState SessionState()
    {
        InitialSessionState iss = InitialSessionState.CreateDefault2();
        foreach (System.Reflection.Assembly a in new[] { typeof(Microsoft.PowerShell.Commands.JoinPathCommand).Assembly, typeof(Microsoft.PowerShell.Commands.SelectObjectCommand).Assembly })
        {
            foreach (Type t in a.GetExportedTypes())
            {
                if (t.IsAbstract || Attribute.GetCustomAttribute(t, typeof(CmdletAttribute)) is not CmdletAttribute c) { continue; }
                iss.Commands.Add(new SessionStateCmdletEntry(c.VerbName + "-" + c.NounName, t, null));
            }
        }
        return iss;
    }

    private static int Parse(IEnumerable<string> files)
    {
        int bad = 0, count = 0;
        foreach (string file in files)
        {
            count++;
            Parser.ParseFile(Path.GetFullPath(file), out _, out ParseError[] errors);
            foreach (ParseError e in errors)
            {
                Console.Out.WriteLine($"{file}:{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber}: {e.ErrorId}: {e.Message}");
            }
            if (errors.Length > 0) { bad++; }
        }
        Console.Out.WriteLine($"parsed {count} file(s), {bad} with errors");
        return bad == 0 ? 0 : 1;
    }
}
