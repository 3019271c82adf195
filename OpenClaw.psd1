#
# Module manifest for OpenClaw (the OpenClaw node host for Windows PowerShell 5.1 and PowerShell 7).
#
# This is a template: scripts/package.sh and build.ps1 copy it to out/OpenClaw/<version>/ and replace
# {{ModuleVersion}} with <ModuleVersion> from Directory.Build.props (the single source of the version).
# Keep it ASCII: Windows PowerShell 5.1 reads a BOM-less file in the ANSI code page.
#
@{
    RootModule             = 'OpenClaw.PowerShell.dll'
    ModuleVersion          = '{{ModuleVersion}}'
    GUID                   = '963279dc-f7d7-49c8-b9d1-874f1ccff6d4'   # generated once, never change it
    Author                 = 'OpenClaw.PowerShell contributors'
    CompanyName            = 'OpenClaw.PowerShell contributors'
    Copyright              = '(c) OpenClaw.PowerShell contributors. All rights reserved.'
    Description            = 'Runs this computer as an OpenClaw node: connects to an OpenClaw gateway, handles device pairing, and serves system.run and system.which to the gateway under local exec approvals. Works in Windows PowerShell 5.1 and PowerShell 7 on Windows, Linux and macOS.'

    CompatiblePSEditions   = @('Desktop', 'Core')
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'

    FormatsToProcess       = @('OpenClaw.Format.ps1xml')

    # Explicit lists, never '*': one cmdlet per line, sorted, so adding a cmdlet is a one-line change.
    # tests/OpenClaw.PowerShell.Tests checks that this list equals the [Cmdlet] classes in OpenClaw.PowerShell.dll.
    CmdletsToExport        = @(
        'Edit-OpenClawExecApproval'
        'Get-OpenClawExecApproval'
        'Start-OpenClawNode'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()

    PrivateData            = @{
        PSData = @{
            Tags         = @('OpenClaw', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')

            # PLACEHOLDER: replace both URIs before publishing (build.ps1 -Task Publish refuses while they point to example.invalid).
            ProjectUri   = 'https://example.invalid/PLACEHOLDER-set-ProjectUri'
            LicenseUri   = 'https://example.invalid/PLACEHOLDER-set-LicenseUri'

            ReleaseNotes = @'
0.1.0
- Start-OpenClawNode: runs the OpenClaw node host in the foreground (gateway connection, device pairing,
  system.run and system.which) and writes an OpenClawNodeStatus object on every connection-state change.
- The openclaw-node executable for services (systemd, Task Scheduler, launchd) ships under bin/<runtime>/.
- Get-OpenClawExecApproval and Edit-OpenClawExecApproval: read and change this node's exec approvals
  (exec-approvals.json in the state directory) locally, for Intune, DSC and scripts. Edits are validated
  (patterns naming a shell are refused) and compare-and-swap on the file hash. See about_OpenClaw_ExecApprovals.
'@
        }
    }
}
