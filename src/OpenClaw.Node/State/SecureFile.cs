using System;
using System.IO;
using System.Text;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.State;

/// <summary>
/// Reads and writes secret-bearing state files: atomic replace (temp file in the same folder, flush to disk, rename),
/// owner-only permissions (0600 files, 0700 folders; user-only ACL on Windows), and refusal of symlinks and of files
/// that other users can write.
/// </summary>
internal static class SecureFile
{
    /// <summary>Creates <paramref name="dir"/> (and parents) if needed and restricts it to the owner.</summary>
    public static void EnsureDirectory(string dir)
    {
        bool existed = Directory.Exists(dir);
        Directory.CreateDirectory(dir);
        if (!existed) { FilePermissions.RestrictDirectory(dir); }
    }

    /// <summary>Writes UTF-8 text atomically with mode 0600: readers see the old file or the new one, never a torn one.</summary>
    /// <exception cref="StateFileException">The folder cannot be written or the target is a symlink.</exception>
    public static void WriteAllText(string path, string text)
    {
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        try
        {
            EnsureDirectory(dir);
            RefuseLink(path);
            string temp = System.IO.Path.Combine(dir, "." + System.IO.Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var fs = CreateOwnerOnly(temp))
                {
                    byte[] bytes = new UTF8Encoding(false).GetBytes(text);
                    fs.Write(bytes, 0, bytes.Length);
                    fs.Flush(flushToDisk: true);
                }
                FilePermissions.RestrictFile(temp);
                Replace(temp, path);
                RemoveStaleTemps(dir, System.IO.Path.GetFileName(path));
            }
            finally
            {
                if (File.Exists(temp)) { File.Delete(temp); }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (StorageProblem(ex) is string problem)
            {
                throw new StateFileException(path, $"Could not write '{path}': {problem} ({ex.Message}). The previous file is unchanged. " +
                    (problem.StartsWith("the disk", StringComparison.Ordinal)
                        ? "Free space on that file system; the node saves it again once writes succeed."
                        : "Remount it read-write (or choose another state directory); the node saves it again once writes succeed."), ex)
                { StorageUnavailable = true };
            }
            throw new StateFileException(path, $"Could not write '{path}': {ex.Message} Check that the state directory is writable by this user.", ex);
        }
    }

    /// <summary>
    /// Describes a write failure caused by the file system rather than the file: full (ENOSPC, EDQUOT; Windows
    /// ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL) or read-only (EROFS; Windows ERROR_WRITE_PROTECT). Null for anything else.
    /// </summary>
    internal static string? StorageProblem(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is not IOException) { continue; }
            int h = e.HResult;
            int win = (h & unchecked((int)0xFFFF0000)) == unchecked((int)0x80070000) ? h & 0xFFFF : -1;
            string m = e.Message;
            if (h == 28 || h == 122 || win == 112 || win == 39 || m.IndexOf("No space left on device", StringComparison.OrdinalIgnoreCase) >= 0
                || m.IndexOf("Disk quota exceeded", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return "the disk is full (ENOSPC)";
            }
            if (h == 30 || win == 19 || m.IndexOf("Read-only file system", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return "the file system is read-only (EROFS)";
            }
        }
        return null;
    }

    /// <summary>How old a leftover temp file must be before it is removed (a writer in another process may still be using a fresh one).</summary>
    internal static readonly TimeSpan StaleTempAge = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Removes <c>.name.*.tmp</c> files left by a writer that crashed between write and rename (they are never read: readers
    /// open only the real name). Only files older than <see cref="StaleTempAge"/> are removed; failures are ignored.
    /// </summary>
    private static void RemoveStaleTemps(string dir, string name)
    {
        try
        {
            DateTime cutoff = DateTime.UtcNow - StaleTempAge;
            foreach (string leftover in Directory.GetFiles(dir, "." + name + ".*.tmp"))
            {
                if (File.GetLastWriteTimeUtc(leftover) < cutoff && !IsLink(leftover)) { File.Delete(leftover); }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover is harmless.
        }
    }

    /// <summary>Reads a state file, or returns null when it does not exist.</summary>
    /// <exception cref="StateFileException">The file is a symlink, writable by other users, or unreadable.</exception>
    public static string? ReadAllTextOrNull(string path)
    {
        if (!File.Exists(path) && !IsLink(path)) { return null; }
        RefuseLink(path);
        if (FilePermissions.IsWritableByOthers(path))
        {
            throw new StateFileException(path, $"Refusing to use '{path}': it is writable by other users. Run 'chmod 600 {path}' after checking its contents.");
        }
        if (FilePermissions.HardLinkCount(path) is int links && links > 1)
        {
            throw new StateFileException(path, $"Refusing to use '{path}': it has {links} hard links, so it can be changed through another path. Replace it with a file of its own (copy it, delete the original, move the copy back).");
        }
        if (FilePermissions.IsAccessibleByOthers(path))
        {
            // A secret readable by other users: tighten it to owner-only (0600) before using it.
            try { FilePermissions.RestrictFile(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException(path, $"Refusing to use '{path}': other users can read it and its permissions could not be tightened ({ex.Message}). Run 'chmod 600 {path}'.", ex);
            }
        }
        try
        {
            return File.ReadAllText(path, new UTF8Encoding(false, true));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new StateFileException(path, $"Could not read '{path}': {ex.Message}", ex);
        }
    }

    private static void RefuseLink(string path)
    {
        if (IsLink(path))
        {
            throw new StateFileException(path, $"Refusing to use '{path}': it is a symbolic link. Replace it with a regular file owned by this user.");
        }
    }

    public static bool IsLink(string path)
    {
        try { return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0; }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
    }

    private static FileStream CreateOwnerOnly(string path)
    {
#if NET
        if (!OperatingSystem.IsWindows())
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = (UnixFileMode)FilePermissions.OwnerFile,
            });
        }
#endif
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
    }

    private static void Replace(string temp, string path)
    {
#if NET
        File.Move(temp, path, overwrite: true);
#else
        if (File.Exists(path)) { File.Replace(temp, path, null); }
        else { File.Move(temp, path); }
#endif
    }
}
