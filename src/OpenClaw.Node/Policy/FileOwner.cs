using System;
using System.Runtime.InteropServices;
using OpenClaw.Node.Internal;

namespace OpenClaw.Node.Policy;

/// <summary>The owner uid of a file (Linux: statx; macOS: stat) and the process's effective uid. Unix only.</summary>
internal static class FileOwner
{
    /// <summary>The owner uid of <paramref name="path"/> (not following a final symlink on Linux), or null when it cannot be read.</summary>
    public static uint? Uid(string path)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        try
        {
            if (HostPlatform.IsLinux)
            {
                var buffer = new byte[256];
                const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
                const uint StatxUid = 0x8;
                if (Native.statx(AtFdCwd, name, AtSymlinkNoFollow, StatxUid, buffer) != 0) { return null; }
                uint mask = BitConverter.ToUInt32(buffer, 0);
                return (mask & StatxUid) != 0 ? BitConverter.ToUInt32(buffer, 20) : null;
            }
            if (HostPlatform.IsMacOS)
            {
                // struct stat (64-bit inode layout): dev_t st_dev (4), mode_t st_mode (2), nlink_t st_nlink (2), ino_t st_ino (8), uid_t st_uid (4).
                var buffer = new byte[256];
                int rc = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? Native.stat_x64(name, buffer) : Native.stat(name, buffer);
                return rc == 0 ? BitConverter.ToUInt32(buffer, 16) : null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        return null;
    }

    /// <summary>The effective uid of this process (0 for root); uint.MaxValue where it cannot be read.</summary>
    public static uint EffectiveUid()
    {
        if (HostPlatform.IsWindows) { return uint.MaxValue; }
        try { return Native.geteuid(); }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { return uint.MaxValue; }
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        internal static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
        internal static extern int stat(byte[] path, byte[] buffer);

        [DllImport("libc", EntryPoint = "stat$INODE64", SetLastError = true)]
        internal static extern int stat_x64(byte[] path, byte[] buffer);

        [DllImport("libc", EntryPoint = "geteuid")]
        internal static extern uint geteuid();
    }
}
