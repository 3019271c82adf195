using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Service;

/// <summary>What one service-manager command returned.</summary>
/// <param name="ExitCode">The process exit code (-1 when the program could not be started).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error (or why the program could not be started).</param>
public sealed record ManagerCommandResult(int ExitCode, string Output, string Error)
{
    /// <summary>True for exit code 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>Output and error trimmed and joined, for messages.</summary>
    public string Text => (Output.Trim() + "\n" + Error.Trim()).Trim();
}

/// <summary>
/// The seam between the service operations and the platform's service manager: runs one manager program
/// (<c>systemctl</c>, <c>loginctl</c>, <c>schtasks.exe</c>, <c>sc.exe</c>, <c>icacls.exe</c>, <c>launchctl</c>) with an
/// argv list, without a shell, and returns its exit code and output. Arguments never carry the token. Tests replace
/// it with a recording fake; <see cref="ProcessServiceManagerShell"/> is the real one.
/// </summary>
public interface IServiceManagerShell
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> and waits for it to exit.</summary>
    ManagerCommandResult Run(string program, IReadOnlyList<string> arguments);
}

/// <summary>Runs manager programs as child processes (no shell), with an optional environment overlay and a timeout.</summary>
public sealed class ProcessServiceManagerShell : IServiceManagerShell
{
    private readonly IReadOnlyDictionary<string, string>? _environment;
    private readonly TimeSpan _timeout;

    /// <summary>Creates the shell.</summary>
    /// <param name="environment">Variables set for every command (for example <c>XDG_RUNTIME_DIR</c> to reach a particular systemd user manager); null for none.</param>
    /// <param name="timeout">Longest wait per command; default 60 s. A command that takes longer is killed and reported with exit code -1.</param>
    public ProcessServiceManagerShell(IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        _environment = environment;
        _timeout = timeout ?? TimeSpan.FromSeconds(60);
    }

    /// <inheritdoc/>
    public ManagerCommandResult Run(string program, IReadOnlyList<string> arguments)
    {
        var psi = new ProcessStartInfo(program)
        {
            Arguments = ProcessArgs.Quote(arguments),
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.Environment["LC_ALL"] = "C";
        psi.Environment["SYSTEMD_PAGER"] = "";
        psi.Environment["SYSTEMD_COLORS"] = "0";
        if (_environment is not null) { foreach (KeyValuePair<string, string> kv in _environment) { psi.Environment[kv.Key] = kv.Value; } }
        Process p;
        try { p = Process.Start(psi)!; }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new ManagerCommandResult(-1, string.Empty, $"{program} could not be started: {ex.Message}");
        }
        using (p)
        {
            p.StandardInput.Close();
            Task<string> o = p.StandardOutput.ReadToEndAsync();
            Task<string> e = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit((int)_timeout.TotalMilliseconds))
            {
                try { p.Kill(); } catch (InvalidOperationException) { }
                return new ManagerCommandResult(-1, string.Empty, $"{program} did not finish within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
            }
            p.WaitForExit();
            return new ManagerCommandResult(p.ExitCode, o.GetAwaiter().GetResult(), e.GetAwaiter().GetResult());
        }
    }
}

/// <summary>Parsers of service-manager output (formats recorded in tests/OpenClaw.Node.Tests/data/service/).</summary>
public static class ManagerOutput
{
    /// <summary><c>systemctl show -p A,B</c>: one <c>Key=Value</c> per line (order is systemd's, not the request's).</summary>
    public static IReadOnlyDictionary<string, string> ParseSystemctlShow(string text)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            int eq = line.IndexOf('=');
            if (eq > 0) { d[line.Substring(0, eq)] = line.Substring(eq + 1); }
        }
        return d;
    }

    /// <summary>The version number from the first line of <c>systemctl --version</c> (<c>systemd 252 (252.38-1~deb12u1)</c>), or null.</summary>
    public static int? ParseSystemdVersion(string text)
    {
        string first = text.TrimStart().Split('\n')[0];
        string[] parts = first.Split(' ');
        return parts.Length >= 2 && parts[0] == "systemd" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : null;
    }

    /// <summary><c>loginctl show-user USER -p Linger</c> → true/false; null when the output has no <c>Linger=</c> line.</summary>
    public static bool? ParseLinger(string text) => ParseSystemctlShow(text).TryGetValue("Linger", out string? v) ? v == "yes" : null;

    /// <summary>
    /// <c>sc.exe queryex NAME</c>: <c>STATE : 4  RUNNING</c> and <c>PID : 1234</c>. Returns (state name, pid);
    /// state null when the output has no STATE line (service missing: exit code 1060).
    /// </summary>
    public static (string? State, int? Pid) ParseScQueryEx(string text)
    {
        string? state = null;
        int? pid = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            int colon = line.IndexOf(':');
            if (colon <= 0) { continue; }
            string key = line.Substring(0, colon).Trim();
            string value = line.Substring(colon + 1).Trim();
            if (key == "STATE")
            {
                string[] w = value.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                state = w.Length >= 2 ? w[1] : null;
            }
            else if (key == "PID" && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p > 0) { pid = p; }
        }
        return (state, pid);
    }

    /// <summary>
    /// <c>schtasks /Query /TN NAME /FO CSV /NH</c>: <c>"\OpenClaw Node","N/A","Running"</c> → the status column
    /// (<c>Running</c>, <c>Ready</c>, <c>Disabled</c>, … in the system language); null when there is no row.
    /// </summary>
    public static string? ParseSchtasksCsvStatus(string text)
    {
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (!line.StartsWith("\"", StringComparison.Ordinal)) { continue; }
            var fields = new List<string>();
            var cur = new StringBuilder();
            bool inQ = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (c == '"') { if (inQ && i + 1 < line.Length && line[i + 1] == '"') { cur.Append('"'); i++; } else { inQ = !inQ; } }
                else if (c == ',' && !inQ) { fields.Add(cur.ToString()); cur.Clear(); }
                else { cur.Append(c); }
            }
            fields.Add(cur.ToString());
            if (fields.Count >= 3) { return fields[2]; }
        }
        return null;
    }

    /// <summary><c>launchctl print gui/UID/LABEL</c>: the <c>state = running</c> and <c>pid = 123</c> lines of the service block.</summary>
    public static (string? State, int? Pid) ParseLaunchctlPrint(string text)
    {
        string? state = null;
        int? pid = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (state is null && line.StartsWith("state = ", StringComparison.Ordinal)) { state = line.Substring(8).Trim(); }
            else if (pid is null && line.StartsWith("pid = ", StringComparison.Ordinal)
                && int.TryParse(line.Substring(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int p)) { pid = p; }
        }
        return (state, pid);
    }
}
