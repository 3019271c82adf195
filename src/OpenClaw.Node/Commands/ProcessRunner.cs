using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Commands;

/// <summary>How a spawned process ended.</summary>
internal sealed record ProcessOutcome(int? ExitCode, bool TimedOut, string Stdout, string Stderr, string? Error, bool Truncated, int? ProcessId);

/// <summary>
/// Runs an argv directly (no shell is added), stdin empty, with captured output capped at <c>capBytes</c> across both
/// streams (the head is kept, the rest drained and discarded), an optional timeout that kills the whole process tree
/// (exit code 124, like the official host), and cancellation that kills the tree too.
/// </summary>
internal static class ProcessRunner
{
    public const int TimeoutExitCode = 124;

    /// <summary>How long to keep reading after the process exited, for descendants that hold the pipes open.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    public static async Task<ProcessOutcome> RunAsync(string file, IReadOnlyList<string> args, string cwd,
        IReadOnlyDictionary<string, string> environment, int? timeoutMs, int capBytes, Action<int>? started, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = cwd,
        };
#if NET
        foreach (string a in args) { psi.ArgumentList.Add(a); }
#else
        psi.Arguments = ProcessArgs.Quote(args);
#endif
        psi.Environment.Clear();
        foreach (var kv in environment) { psi.Environment[kv.Key] = kv.Value; }

        using var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult(true);
        try
        {
            if (!process.Start()) { return LaunchFailure("the process did not start"); }
        }
        catch (Win32Exception ex)
        {
            return LaunchFailure(ErrnoName(ex.NativeErrorCode));
        }
        int pid = process.Id;
        started?.Invoke(pid);
        try { process.StandardInput.Close(); } catch (IOException) { }

        var budget = new OutputBudget(capBytes);
        using var readCts = new CancellationTokenSource();
        var stdout = new Capture();
        var stderr = new Capture();
        Task stdoutDone = ReadCappedAsync(process.StandardOutput.BaseStream, stdout, budget, readCts.Token);
        Task stderrDone = ReadCappedAsync(process.StandardError.BaseStream, stderr, budget, readCts.Token);

        bool timedOut = false;
        using (var stopCts = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            if (timeoutMs is int t && t > 0) { stopCts.CancelAfter(t); }
            Task stop = Task.Delay(Timeout.Infinite, stopCts.Token);
            Task first = await Task.WhenAny(exited.Task, stop).ConfigureAwait(false);
            if (first != exited.Task)
            {
                KillTree(process);
                if (ct.IsCancellationRequested)
                {
                    await Task.WhenAny(exited.Task, Task.Delay(DrainGrace)).ConfigureAwait(false);
                    readCts.Cancel();
                    ct.ThrowIfCancellationRequested();
                }
                timedOut = true;
                await Task.WhenAny(exited.Task, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
            }
        }

        // Descendants may keep the pipes open after the process exits: read on for a short grace, then take what we have.
        Task both = Task.WhenAll(stdoutDone, stderrDone);
        if (await Task.WhenAny(both, Task.Delay(DrainGrace)).ConfigureAwait(false) != both) { readCts.Cancel(); }
        int? exitCode = timedOut ? TimeoutExitCode : SafeExitCode(process);
        return new ProcessOutcome(exitCode, timedOut, Decode(stdout.Snapshot()), Decode(stderr.Snapshot()), null, budget.Exceeded, pid);
    }

    private static ProcessOutcome LaunchFailure(string why) =>
        new(null, false, string.Empty, string.Empty, $"Command failed during launch or output capture ({why})", false, null);

    /// <summary>Maps a native spawn error to the errno name the official host reports (ENOENT, EACCES, ...).</summary>
    public static string ErrnoName(int code) => code switch
    {
        2 => "ENOENT",
        13 => "EACCES",
        5 => HostPlatform.IsWindows ? "EACCES" : "EIO",
        7 => HostPlatform.IsWindows ? "error 7" : "E2BIG: the arguments and environment are larger than the system allows",
        8 => "ENOEXEC",
        20 => "ENOTDIR",
        193 => "ENOEXEC",
        _ => "error " + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static int? SafeExitCode(Process p)
    {
        try { return p.HasExited ? p.ExitCode : null; }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>Kills the process and all its descendants; never throws.</summary>
    public static void KillTree(Process process)
    {
        try
        {
            if (process.HasExited) { return; }
#if NET
            process.Kill(entireProcessTree: true);
#else
            var killTree = typeof(Process).GetMethod("Kill", new[] { typeof(bool) });
            if (killTree is not null) { killTree.Invoke(process, new object[] { true }); }
            else if (HostPlatform.IsWindows) { TaskKill(process.Id); }
            else { process.Kill(); }
#endif
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException or System.Reflection.TargetInvocationException)
        {
            // Already gone, or not ours to kill any more.
        }
    }

#if !NET
    private static void TaskKill(int pid)
    {
        var psi = new ProcessStartInfo("taskkill.exe", "/T /F /PID " + pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
        { UseShellExecute = false, CreateNoWindow = true };
        using var p = Process.Start(psi);
        p?.WaitForExit(10000);
    }
#endif

    private sealed class OutputBudget
    {
        private int _remaining;

        public OutputBudget(int cap) => _remaining = cap;

        public bool Exceeded { get; private set; }

        /// <summary>How many of <paramref name="count"/> bytes may be kept.</summary>
        public int Take(int count)
        {
            lock (this)
            {
                int take = Math.Min(count, _remaining);
                _remaining -= take;
                if (take < count) { Exceeded = true; }
                return take;
            }
        }
    }

    private sealed class Capture
    {
        private readonly MemoryStream _kept = new();

        public void Append(byte[] buffer, int count)
        {
            lock (_kept) { _kept.Write(buffer, 0, count); }
        }

        public byte[] Snapshot()
        {
            lock (_kept) { return _kept.ToArray(); }
        }
    }

    private static async Task ReadCappedAsync(Stream stream, Capture kept, OutputBudget budget, CancellationToken ct)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
                if (n <= 0) { break; }
                int take = budget.Take(n);
                if (take > 0) { kept.Append(buffer, take); }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Pipe closed or drain grace over: keep what was read.
        }
    }

    private static string Decode(byte[] bytes) => new UTF8Encoding(false, false).GetString(bytes);
}
