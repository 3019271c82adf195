using System;
using System.Collections.Generic;
using System.Linq;

namespace OpenClaw.PowerShell.Tests;

/// <summary>
/// The output of <c>Get-Verb</c> on Windows PowerShell 5.1 (98 verbs), by group. PowerShell 6+ adds Build and Deploy,
/// which 5.1 would warn about on import, so they are deliberately absent. A test checks this list against the
/// Verbs* constants of the PowerShellStandard.Library 5.1 reference assembly.
/// </summary>
internal static class ApprovedVerbs
{
    public static readonly IReadOnlyDictionary<string, string[]> ByGroup = new Dictionary<string, string[]>
    {
        ["Common"] = new[]
        {
            "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New", "Open",
            "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show", "Skip", "Split",
            "Step", "Switch", "Undo", "Unlock", "Watch",
        },
        ["Communications"] = new[] { "Connect", "Disconnect", "Read", "Receive", "Send", "Write" },
        ["Data"] = new[]
        {
            "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit", "Expand", "Export",
            "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore", "Save", "Sync", "Unpublish", "Update",
        },
        ["Diagnostic"] = new[] { "Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace" },
        ["Lifecycle"] = new[]
        {
            "Approve", "Assert", "Complete", "Confirm", "Deny", "Disable", "Enable", "Install", "Invoke", "Register", "Request", "Restart",
            "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait",
        },
        ["Other"] = new[] { "Use" },
        ["Security"] = new[] { "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect" },
    };

    /// <summary>All 98 verbs, with the casing Get-Verb shows (verbs match case-sensitively here: the attribute's casing is what users see).</summary>
    public static readonly IReadOnlySet<string> WindowsPowerShell51 = ByGroup.Values.SelectMany(v => v).ToHashSet(StringComparer.Ordinal);
}
