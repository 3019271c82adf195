using System;

namespace OpenClaw.Node.State;

/// <summary>
/// A state file (node.json, identity/device.json, exec-approvals.json) is missing a required part, corrupt,
/// truncated, unsafe (a symlink, or writable by other users) or could not be written. The message names the file
/// and what to do; the file itself is never overwritten silently.
/// </summary>
public sealed class StateFileException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public StateFileException(string path, string message, Exception? inner = null) : base(message, inner) => Path = path;

    /// <summary>Full path of the file at fault.</summary>
    public string Path { get; }

    /// <summary>
    /// True when the file could not be written because its file system is full (ENOSPC, quota) or read-only (EROFS):
    /// a condition outside the file's content that goes away once space is freed or the file system is writable again.
    /// The host then exits with <see cref="Hosting.NodeHostExitCodes.StateWriteFailed"/> rather than
    /// <see cref="Hosting.NodeHostExitCodes.Configuration"/>, so a supervisor restarts it.
    /// </summary>
    public bool StorageUnavailable { get; init; }
}
