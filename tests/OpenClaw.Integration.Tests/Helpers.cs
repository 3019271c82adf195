using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace OpenClaw.Integration.Tests;

internal static class Proc
{
    public static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat.Substring(stat.LastIndexOf(')') + 2, 1) != "Z";
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public static Task WaitUntilDead(int pid, TimeSpan timeout) => Poll.Until(() => !Alive(pid), timeout);
}

internal static class Poll
{
    /// <summary>Polls a condition the test cannot be notified of (another process's state).</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout) { throw new TimeoutException("Condition not met within " + timeout); }
            await Task.Delay(50);
        }
    }
}
