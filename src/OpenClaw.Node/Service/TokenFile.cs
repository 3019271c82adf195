using System;
using System.IO;
using System.Text;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;

namespace OpenClaw.Node.Service;

/// <summary>
/// Reads the gateway token from the owner-only file that service definitions point at (<c>openclaw-node run --token-file</c>),
/// so the token is never in a definition, a command line or an environment block another user can read.
/// </summary>
public static class TokenFile
{
    /// <summary>
    /// Reads the token: the file's text with surrounding whitespace (a trailing newline) removed. The file must be a regular
    /// file (not a symbolic link) that only its owner can access: mode 0600 or stricter on Unix; on Windows no access for
    /// Everyone, Users or Authenticated Users.
    /// </summary>
    /// <exception cref="StateFileException">Missing, a link, accessible by others, empty, or unreadable; the message says how to fix it.</exception>
    public static string Read(string path)
    {
        string full = Path.GetFullPath(path);
        if (SecureFile.IsLink(full))
        {
            throw new StateFileException(full, $"Refusing the token file '{full}': it is a symbolic link. Point --token-file at a regular file.");
        }
        if (!File.Exists(full))
        {
            throw new StateFileException(full, $"The token file '{full}' does not exist. Reinstall the service with a token (Install-OpenClawNode -Token … -Force) or create the file with mode 0600.");
        }
        if (FilePermissions.GetUnixMode(full) is int mode && (mode & 0x3F) != 0)
        {
            throw new StateFileException(full, $"Refusing the token file '{full}': other users can access it (mode {Convert.ToString(mode & 0x1FF, 8)}). Run 'chmod 600 {full}' and check who read it; rotate the token if in doubt.");
        }
        if (HostPlatform.IsWindows && WindowsGrantsOthers(full))
        {
            throw new StateFileException(full, $"Refusing the token file '{full}': Everyone, Users or Authenticated Users can access it. Restrict it: icacls \"{full}\" /inheritance:r /grant:r \"%USERNAME%:F\"");
        }
        string text;
        try { text = File.ReadAllText(full, new UTF8Encoding(false, true)); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new StateFileException(full, $"Could not read the token file '{full}': {ex.Message}", ex);
        }
        string token = text.Trim();
        if (token.Length == 0 || NodeServiceOptions.HasControl(token))
        {
            throw new StateFileException(full, $"The token file '{full}' must hold the gateway token on one line.");
        }
        return token;
    }

    private static bool WindowsGrantsOthers(string path)
    {
#if NET
        if (!OperatingSystem.IsWindows()) { return false; }
        var sec = new FileInfo(path).GetAccessControl();
        foreach (System.Security.AccessControl.FileSystemAccessRule rule in sec.GetAccessRules(true, true, typeof(System.Security.Principal.SecurityIdentifier)))
        {
            if (rule.AccessControlType != System.Security.AccessControl.AccessControlType.Allow) { continue; }
            string sid = rule.IdentityReference.Value;
            if (sid == "S-1-1-0" || sid == "S-1-5-32-545" || sid == "S-1-5-11") { return true; }
        }
        return false;
#else
        _ = path;
        return false;
#endif
    }
}
