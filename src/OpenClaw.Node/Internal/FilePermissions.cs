using System;
using System.IO;

namespace OpenClaw.Node.Internal;

/// <summary>
/// Owner-only permissions for secrets: mode 0600 for files and 0700 for folders on Unix;
/// on Windows an ACL that grants the current user (and SYSTEM) full control, with inheritance removed.
/// </summary>
internal static class FilePermissions
{
    public const int OwnerFile = 0x180;   // 0600
    public const int OwnerDir = 0x1C0;    // 0700

    public static void RestrictFile(string path) => Restrict(path, OwnerFile, directory: false);

    public static void RestrictDirectory(string path) => Restrict(path, OwnerDir, directory: true);

    private static void Restrict(string path, int mode, bool directory)
    {
#if NET
        if (OperatingSystem.IsWindows())
        {
            WindowsAcl.RestrictToCurrentUser(path, directory);
            return;
        }
        File.SetUnixFileMode(path, (UnixFileMode)mode);
#else
        if (HostPlatform.IsWindows)
        {
            WindowsAcl.RestrictToCurrentUser(path, directory);
            return;
        }
        NativeMethods.chmod(path, (uint)mode);
#endif
    }

    /// <summary>Unix permission bits of a file or folder; null on Windows.</summary>
    public static int? GetUnixMode(string path)
    {
#if NET
        if (OperatingSystem.IsWindows()) { return null; }
        return (int)File.GetUnixFileMode(path);
#else
        if (HostPlatform.IsWindows) { return null; }
        return NativeMethods.StatMode(path);
#endif
    }

    /// <summary>True when the file's mode lets the group or others write to it (Unix only).</summary>
    public static bool IsWritableByOthers(string path)
    {
        int? mode = GetUnixMode(path);
        return mode is int m && (m & 0x12) != 0;   // g+w or o+w
    }

    /// <summary>True when the file's mode lets the group or others read or write it (Unix only).</summary>
    public static bool IsAccessibleByOthers(string path)
    {
        int? mode = GetUnixMode(path);
        return mode is int m && (m & 0x3F) != 0;
    }

    /// <summary>
    /// Number of hard links to the file (Linux, through statx, whose layout is the same on every architecture); null
    /// where it cannot be read. A secret with more than one link can be changed through a path we do not guard (users.md FS-02).
    /// </summary>
    public static int? HardLinkCount(string path)
    {
        if (!HostPlatform.IsLinux) { return null; }
        try
        {
            var buffer = new byte[256];
            const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
            const uint StatxNlink = 0x4;
            byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
            if (Statx.statx(AtFdCwd, name, AtSymlinkNoFollow, StatxNlink, buffer) != 0) { return null; }
            uint mask = BitConverter.ToUInt32(buffer, 0);
            return (mask & StatxNlink) != 0 ? (int)BitConverter.ToUInt32(buffer, 16) : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;   // libc without statx (glibc before 2.28, musl before 1.2.5)
        }
    }

    private static class Statx
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        internal static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);
    }

    /// <summary>
    /// True when the path is an existing file, not a directory (a symlink counts as its target), that is executable
    /// (Unix: any execute bit; on Windows any existing file). A dangling symlink or a file that goes away is false.
    /// </summary>
    public static bool IsExecutableFile(string path)
    {
#if NET
        if (OperatingSystem.IsWindows()) { return File.Exists(path); }
        // One status read answers both questions for a plain file (FileInfo.Exists is false for a directory); a symlink,
        // whose target may be missing or a directory, is checked through its target below.
        var info = new FileInfo(path);
        if (!info.Exists) { return false; }
        UnixFileMode mode;
        if ((info.Attributes & FileAttributes.ReparsePoint) == 0)
        {
            mode = info.UnixFileMode;
        }
        else
        {
            if (!File.Exists(path)) { return false; }   // a symlink to a directory (File.Exists follows the link)
            try { mode = File.GetUnixFileMode(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;   // a dangling symlink (File.Exists is true for the link itself), or a file that just went away
            }
        }
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
#else
        if (HostPlatform.IsWindows) { return File.Exists(path); }
        if (!File.Exists(path)) { return false; }
        return NativeMethods.access(path, 1) == 0;
#endif
    }

#if !NET
    // netstandard2.0 on Unix only ever runs on PowerShell 7.4+ (.NET 8+), which has the File Unix-mode API:
    // call it by reflection rather than guessing the platform's stat layout.
    private static class NativeMethods
    {
        private static readonly System.Reflection.MethodInfo? GetMode =
            typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
        private static readonly System.Reflection.MethodInfo? SetMode = FindSetMode();

        private static System.Reflection.MethodInfo? FindSetMode()
        {
            foreach (var m in typeof(File).GetMethods())
            {
                var ps = m.GetParameters();
                if (m.Name == "SetUnixFileMode" && ps.Length == 2 && ps[0].ParameterType == typeof(string)) { return m; }
            }
            return null;
        }

        internal static int chmod(string path, uint mode)
        {
            if (SetMode is null) { throw new PlatformNotSupportedException("This runtime cannot set Unix file modes; use PowerShell 7.4 or later."); }
            var enumType = SetMode.GetParameters()[1].ParameterType;
            SetMode.Invoke(null, new object[] { path, Enum.ToObject(enumType, (int)mode) });
            return 0;
        }

        internal static int access(string path, int mode)
        {
            int? m = StatMode(path);
            return m is int v && (v & (mode << 6 | mode << 3 | mode)) != 0 ? 0 : -1;
        }

        internal static int? StatMode(string path)
        {
            if (GetMode is null) { return null; }
            return Convert.ToInt32(GetMode.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture);
        }
    }
#endif
}
