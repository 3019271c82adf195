using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Approvals;

/// <summary>
/// What <c>exec-approvals.json</c> holds right now: whether it exists, the SHA-256 of its exact text (compare-and-swap
/// token; <c>missing:</c> + SHA-256 of the empty string when absent), the parsed document, or why it cannot be used.
/// </summary>
public sealed record ExecApprovalsSnapshot(string Path, bool Exists, string Hash, ExecApprovalsDocument? Document, string? Error)
{
    /// <summary>The hash of a missing document.</summary>
    public static readonly string MissingHash = "missing:" + Hex.Sha256(string.Empty);

    /// <summary>The document to evaluate: the parsed one, the empty one when missing, or null when broken (deny everything).</summary>
    public ExecApprovalsDocument? Effective => Error is not null ? null : Document ?? ExecApprovalsDocument.Empty;
}

/// <summary>A compare-and-swap write lost: the file changed since the caller read it.</summary>
public sealed class ExecApprovalsConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExecApprovalsConflictException(string message) : base(message) { }
}

/// <summary>
/// <c>exec-approvals.json</c> in the state directory: read on every decision (so edits apply without a restart), written
/// atomically with mode 0600 under a lock, guarded by the SHA-256 of the current text. A symlinked, other-writable or
/// malformed file is reported in <see cref="ExecApprovalsSnapshot.Error"/> and makes every decision a denial; writes
/// over a broken file are refused until it is repaired.
/// </summary>
public sealed class ExecApprovalsStore
{
    private static readonly object ProcessLock = new();

    /// <summary>Opens the store for <paramref name="stateDirectory"/>.</summary>
    public ExecApprovalsStore(string stateDirectory)
    {
        StateDirectory = stateDirectory;
        FilePath = System.IO.Path.Combine(stateDirectory, "exec-approvals.json");
    }

    /// <summary>The state directory.</summary>
    public string StateDirectory { get; }

    /// <summary>Full path of exec-approvals.json.</summary>
    public string FilePath { get; }

    /// <summary>Reads the current state; never throws for a bad file (see <see cref="ExecApprovalsSnapshot.Error"/>).</summary>
    public ExecApprovalsSnapshot Load()
    {
        string? text;
        try
        {
            text = SecureFile.ReadAllTextOrNull(FilePath);
        }
        catch (StateFileException ex)
        {
            return new ExecApprovalsSnapshot(FilePath, true, "unreadable", null, ex.Message);
        }
        if (text is null) { return new ExecApprovalsSnapshot(FilePath, false, ExecApprovalsSnapshot.MissingHash, null, null); }
        string hash = Hex.Sha256(text);
        try
        {
            return new ExecApprovalsSnapshot(FilePath, true, hash, ExecApprovalsDocument.Parse(text, FilePath), null);
        }
        catch (ExecApprovalsFormatException ex)
        {
            return new ExecApprovalsSnapshot(FilePath, true, hash, null, ex.Message + " Every command is denied until the file is fixed.");
        }
    }

    /// <summary>
    /// Replaces the document when the current hash equals <paramref name="baseHash"/> (spec §8.5): required when a file
    /// exists; when none exists a non-empty base hash must be the missing-document hash. The socket path and token are
    /// kept from the current file when the new one has none, and generated when neither has them.
    /// </summary>
    /// <exception cref="ExecApprovalsConflictException">The base hash is missing or stale.</exception>
    /// <exception cref="StateFileException">The current file is broken or the write failed.</exception>
    public ExecApprovalsSnapshot Replace(ExecApprovalsDocument document, string? baseHash)
    {
        return WithLock(() =>
        {
            ExecApprovalsSnapshot current = Load();
            if (current.Error is not null && current.Hash == "unreadable")
            {
                throw new StateFileException(FilePath, current.Error);
            }
            if (current.Exists)
            {
                if (string.IsNullOrEmpty(baseHash)) { throw new ExecApprovalsConflictException("exec approvals base hash required; reload and retry"); }
                if (!string.Equals(baseHash, current.Hash, StringComparison.Ordinal)) { throw new ExecApprovalsConflictException("exec approvals changed; reload and retry"); }
            }
            else if (!string.IsNullOrEmpty(baseHash) && !string.Equals(baseHash, ExecApprovalsSnapshot.MissingHash, StringComparison.Ordinal))
            {
                throw new ExecApprovalsConflictException("exec approvals changed; reload and retry");
            }
            ExecApprovalsDocument old = current.Document ?? ExecApprovalsDocument.Empty;
            ExecApprovalsDocument next = document.With(
                socketPath: document.SocketPath ?? old.SocketPath ?? System.IO.Path.Combine(StateDirectory, "exec-approvals.sock"),
                socketToken: document.SocketToken ?? old.SocketToken ?? NewToken());
            SecureFile.WriteAllText(FilePath, next.Serialize());
            return Load();
        });
    }

    /// <summary>
    /// Records that allowlist entries matched a run (<c>lastUsedAt</c>, <c>lastUsedCommand</c>, <c>lastResolvedPath</c>).
    /// Re-reads the file under the lock and only touches entries that still exist with the same pattern, so a concurrent
    /// removal is never undone. Failures are swallowed (bookkeeping must not block a decision already made).
    /// </summary>
    public void RecordUse(IReadOnlyCollection<(string AgentId, string EntryId, string Pattern)> matched, string commandText, string? resolvedPath, long nowMs)
    {
        if (matched.Count == 0) { return; }
        try
        {
            WithLock(() =>
            {
                ExecApprovalsSnapshot current = Load();
                if (current.Document is null) { return 0; }
                var agents = new Dictionary<string, ExecAgentEntry>(StringComparer.Ordinal);
                bool changed = false;
                foreach (var kv in current.Document.Agents)
                {
                    var list = new List<ExecAllowlistEntry>();
                    foreach (ExecAllowlistEntry e in kv.Value.Allowlist)
                    {
                        bool hit = false;
                        foreach (var m in matched) { if (m.AgentId == kv.Key && m.EntryId == e.Id && m.Pattern == e.Pattern) { hit = true; break; } }
                        list.Add(hit ? e with { LastUsedAt = nowMs, LastUsedCommand = commandText, LastResolvedPath = resolvedPath } : e);
                        changed |= hit;
                    }
                    agents[kv.Key] = kv.Value with { Allowlist = list };
                }
                if (changed) { SecureFile.WriteAllText(FilePath, current.Document.With(agents: agents).Serialize()); }
                return 0;
            });
        }
        catch (Exception ex) when (ex is IOException or StateFileException or UnauthorizedAccessException or TimeoutException)
        {
            // The run decision stands; last-used bookkeeping is best-effort.
        }
    }

    private static string NewToken()
    {
        var bytes = new byte[24];
        using (var rng = RandomNumberGenerator.Create()) { rng.GetBytes(bytes); }
        return Base64Url.Encode(bytes);
    }

    private T WithLock<T>(Func<T> action)
    {
        lock (ProcessLock)
        {
            SecureFile.EnsureDirectory(StateDirectory);
            string lockPath = FilePath + ".lock";
            DateTime deadline = DateTime.UtcNow.AddSeconds(5);
            while (true)
            {
                FileStream? handle = null;
                try
                {
                    handle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(25);   // another process holds the lock: wait for it, bounded
                    continue;
                }
                catch (IOException ex)
                {
                    throw new TimeoutException($"Timed out waiting for the lock on '{FilePath}'.", ex);
                }
                using (handle) { return action(); }
            }
        }
    }
}
