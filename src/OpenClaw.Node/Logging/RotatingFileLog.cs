using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// A size-capped, rotating log file written by the host (also when it runs as a service): JSON lines
/// <c>{"time":"2026-11-30T21:50:00.123Z","level":"info","pid":1234,"msg":"..."}</c> in
/// <c>&lt;stateDir&gt;/logs/openclaw-node.log</c>. Before a line would take the file past <see cref="MaxBytes"/> it is
/// renamed to <c>.1</c> (older ones shift to <c>.2</c> ... and the one past <see cref="FilesKept"/> is deleted).
/// Files are created owner-only (0600, user-only ACL on Windows) in a 0700 folder; a symlinked folder or file is refused.
/// </summary>
public sealed class RotatingFileLog : INodeLog, IDisposable
{
    /// <summary>The default size cap: 10 MiB.</summary>
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    /// <summary>The default number of rotated files kept besides the current one: 5.</summary>
    public const int DefaultFilesKept = 5;

    /// <summary>The file name in the log folder.</summary>
    public const string FileName = "openclaw-node.log";

    private readonly object _gate = new();
    private readonly int _pid;
    private FileStream? _stream;

    /// <summary>Opens (creates) the log in <paramref name="directory"/>.</summary>
    /// <param name="directory">The log folder, created 0700 when missing.</param>
    /// <param name="maxBytes">Size cap of one file in bytes (at least 1024).</param>
    /// <param name="filesKept">Rotated files kept (0 to 100).</param>
    /// <exception cref="IOException">The folder or file is a symbolic link, or cannot be created.</exception>
    public RotatingFileLog(string directory, long maxBytes = DefaultMaxBytes, int filesKept = DefaultFilesKept)
    {
        if (maxBytes < 1024) { throw new ArgumentOutOfRangeException(nameof(maxBytes), "The log size cap must be at least 1024 bytes."); }
        if (filesKept < 0 || filesKept > 100) { throw new ArgumentOutOfRangeException(nameof(filesKept), "Between 0 and 100 rotated log files can be kept."); }
        Directory = directory;
        FilePath = Path.Combine(directory, FileName);
        MaxBytes = maxBytes;
        FilesKept = filesKept;
#if NET
        _pid = Environment.ProcessId;
#else
        using (var p = System.Diagnostics.Process.GetCurrentProcess()) { _pid = p.Id; }
#endif
        State.SecureFile.EnsureDirectory(directory);
        if (State.SecureFile.IsLink(directory)) { throw new IOException($"Refusing to log into '{directory}': it is a symbolic link."); }
        lock (_gate) { Open(); }
    }

    /// <summary>The log folder.</summary>
    public string Directory { get; }

    /// <summary>The current log file.</summary>
    public string FilePath { get; }

    /// <summary>Size cap of one file in bytes.</summary>
    public long MaxBytes { get; }

    /// <summary>Rotated files kept besides the current one.</summary>
    public int FilesKept { get; }

    /// <summary>The JSON line for a message (without the newline).</summary>
    public static string FormatLine(DateTimeOffset time, NodeLogLevel level, int pid, string message) => Json.Serialize(new JsonObject
    {
        ["time"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        ["level"] = NodeLogLevels.Name(level),
        ["pid"] = pid,
        ["msg"] = message,
    });

    /// <inheritdoc />
    public void Write(NodeLogLevel level, string message)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(FormatLine(DateTimeOffset.UtcNow, level, _pid, message) + "\n");
        lock (_gate)
        {
            if (_stream is null) { return; }
            if (_stream.Length > 0 && _stream.Length + bytes.Length > MaxBytes) { Rotate(); }
            _stream.Write(bytes, 0, bytes.Length);
            _stream.Flush();
        }
    }

    private void Rotate()
    {
        _stream?.Dispose();
        _stream = null;
        string Numbered(int i) => FilePath + "." + i.ToString(CultureInfo.InvariantCulture);
        if (FilesKept == 0)
        {
            File.Delete(FilePath);
        }
        else
        {
            if (File.Exists(Numbered(FilesKept))) { File.Delete(Numbered(FilesKept)); }
            for (int i = FilesKept - 1; i >= 1; i--)
            {
                if (File.Exists(Numbered(i))) { File.Move(Numbered(i), Numbered(i + 1)); }
            }
            File.Move(FilePath, Numbered(1));
        }
        Open();
    }

    private void Open()
    {
        if (State.SecureFile.IsLink(FilePath)) { throw new IOException($"Refusing to log into '{FilePath}': it is a symbolic link."); }
#if NET
        if (!OperatingSystem.IsWindows())
        {
            _stream = new FileStream(FilePath, new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.Read | FileShare.Delete,
                UnixCreateMode = (UnixFileMode)FilePermissions.OwnerFile,
            });
            if (FilePermissions.IsAccessibleByOthers(FilePath)) { FilePermissions.RestrictFile(FilePath); }
            return;
        }
#endif
        bool existed = File.Exists(FilePath);
        _stream = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete);
        if (!existed || FilePermissions.IsAccessibleByOthers(FilePath)) { FilePermissions.RestrictFile(FilePath); }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }
}
