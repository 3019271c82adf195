using System;
using System.Runtime.InteropServices;
using System.Security;

namespace OpenClaw.PowerShell;

/// <summary>Reads a SecureString only at the moment the engine needs the plaintext; never logs it.</summary>
internal static class SecureStrings
{
    public static string? ToPlainText(SecureString? value)
    {
        if (value is null || value.Length == 0) { return null; }
        IntPtr ptr = Marshal.SecureStringToGlobalAllocUnicode(value);
        try { return Marshal.PtrToStringUni(ptr); }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(ptr); }
    }
}
