using System;
using System.Collections.Generic;
using System.Threading;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// Environment variables that belong to the node host process itself and never reach the processes it starts
/// (<c>system.run</c> children and the browser helper), whatever the exec-approvals or env policy say:
/// the gateway's shared secrets (<c>OPENCLAW_GATEWAY_TOKEN</c>, <c>OPENCLAW_GATEWAY_PASSWORD</c>: an agent that can run
/// <c>env</c> must not learn a credential that would let it connect to the gateway as an operator) and the runtime
/// settings the host sets for its own sockets (<see cref="TuneSocketsForHostProcess()"/>).
/// </summary>
internal static class HostEnvironment
{
    /// <summary>.NET: run socket continuations on the socket engine's own thread instead of queueing them to the thread pool (Unix).</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>.NET: number of socket engine threads (Unix); with inline completions it would default to one per CPU.</summary>
    public const string SocketThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    private static readonly string[] Secrets = { "OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD" };
    private static readonly object Gate = new();
    private static string[] s_hostSet = Array.Empty<string>();

    /// <summary>
    /// For the <c>openclaw-node run</c> process only, before its first socket: socket continuations run inline on one
    /// socket engine thread. A node host answers bursts of tiny frames; queueing each continuation to the thread pool
    /// woke a worker per frame, which was most of the host's CPU per <c>system.which</c> (bench/RESULTS.md, sessions 4
    /// and 5). The frame handlers never block (slow commands are handed to the thread pool by the dispatcher).
    /// A variable the user already set is left as it is (and is then passed on to children like any other); the ones
    /// set here are reported by <see cref="IsHostOnly"/>. The runtime reads them once, at its first socket operation:
    /// calling this later has no effect on this process.
    /// </summary>
    /// <returns>The variables this call set (empty when the user had set both).</returns>
    public static IReadOnlyList<string> TuneSocketsForHostProcess() =>
        TuneSocketsForHostProcess(Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable);

    /// <summary>As <see cref="TuneSocketsForHostProcess()"/>, over the given environment (tests).</summary>
    internal static IReadOnlyList<string> TuneSocketsForHostProcess(Func<string, string?> get, Action<string, string> set)
    {
        var changed = new List<string>();
        foreach (var (name, value) in new[] { (InlineCompletionsVariable, "1"), (SocketThreadCountVariable, "1") })
        {
            if (get(name) is null)
            {
                set(name, value);
                changed.Add(name);
            }
        }
        return Remember(changed);
    }

    private static IReadOnlyList<string> Remember(List<string> set)
    {
        if (set.Count > 0)
        {
            lock (Gate)
            {
                var all = new List<string>(s_hostSet);
                foreach (string n in set) { if (!all.Contains(n)) { all.Add(n); } }
                Volatile.Write(ref s_hostSet, all.ToArray());
            }
        }
        return set;
    }

    /// <summary>
    /// True for a variable of the host's own that must not be passed to a child: the gateway secrets, and the runtime
    /// settings <see cref="TuneSocketsForHostProcess()"/> set (compared case-insensitively, as on Windows).
    /// </summary>
    public static bool IsHostOnly(string key)
    {
        foreach (string s in Secrets) { if (string.Equals(s, key, StringComparison.OrdinalIgnoreCase)) { return true; } }
        foreach (string s in Volatile.Read(ref s_hostSet)) { if (string.Equals(s, key, StringComparison.OrdinalIgnoreCase)) { return true; } }
        return false;
    }

    /// <summary>Removes the host-only variables from a child's environment (a <c>ProcessStartInfo.Environment</c>).</summary>
    public static void RemoveHostOnly(IDictionary<string, string?> environment)
    {
        var remove = new List<string>();
        foreach (string key in environment.Keys) { if (IsHostOnly(key)) { remove.Add(key); } }
        foreach (string key in remove) { environment.Remove(key); }
    }
}
