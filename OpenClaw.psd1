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
    Description            = 'Runs this computer as an OpenClaw node: connects to an OpenClaw gateway, handles device pairing, and serves system.run and system.which to the gateway under local exec approvals. As an operator, approves, lists, renames, removes and invokes the nodes of a gateway. Works in Windows PowerShell 5.1 and PowerShell 7 on Windows, Linux and macOS.'

    CompatiblePSEditions   = @('Desktop', 'Core')
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'

    FormatsToProcess       = @('OpenClaw.Format.ps1xml')

    # Explicit lists, never '*': one cmdlet per line, sorted, so adding a cmdlet is a one-line change.
    # tests/OpenClaw.PowerShell.Tests checks that this list equals the [Cmdlet] classes in OpenClaw.PowerShell.dll.
    CmdletsToExport        = @(
        'Approve-OpenClawNodeRequest'
        'Connect-OpenClawGateway'
        'Deny-OpenClawNodeRequest'
        'Disconnect-OpenClawGateway'
        'Edit-OpenClawExecApproval'
        'Get-OpenClawExecApproval'
        'Get-OpenClawNode'
        'Get-OpenClawNodeRequest'
        'Get-OpenClawNodeStatus'
        'Import-OpenClawNodeState'
        'Invoke-OpenClawNodeCommand'
        'Remove-OpenClawNode'
        'Rename-OpenClawNode'
        'Start-OpenClawNode'
        'Install-OpenClawNode'
        'Uninstall-OpenClawNode'
        'Stop-OpenClawNode'
        'Restart-OpenClawNode'
        'Test-OpenClawNode'
        'New-OpenClawSetupCode'
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
  system.run and system.which) and writes an OpenClawNodeStateChange object on every connection-state change.
- The openclaw-node executable for services (systemd, Task Scheduler, launchd) ships under bin/<runtime>/.
- Get-OpenClawExecApproval and Edit-OpenClawExecApproval: read and change this node's exec approvals
  (exec-approvals.json in the state directory) locally, for Intune, DSC and scripts. Edits are validated
  (patterns naming a shell are refused) and compare-and-swap on the file hash. See about_OpenClaw_ExecApprovals.
- Operator cmdlets, for managing the nodes of a gateway from scripts: Connect-OpenClawGateway and
  Disconnect-OpenClawGateway (one connection for the session; every operator cmdlet also takes -Gateway,
  -Token and -TlsFingerprint for a connection of its own); Get-OpenClawNodeRequest, Approve-OpenClawNodeRequest
  and Deny-OpenClawNodeRequest for both approvals a node needs (device pairing and command surface;
  Approve-OpenClawNodeRequest -IncludeCommandSurface does both in one pipeline); Get-OpenClawNode,
  Rename-OpenClawNode and Remove-OpenClawNode; Invoke-OpenClawNodeCommand (node.invoke, e.g. system.which
  and system.run). New output types OpenClawGatewayConnection, OpenClawNodeRequest and OpenClawNode with
  default table views. Operator connections authenticate with the shared gateway token and no device
  identity, so the gateway grants them scopes only from its own loopback address (the gateway host, or an
  SSH tunnel). See the OPERATOR section of about_OpenClaw.
- Get-OpenClawNodeStatus (and openclaw-node status): one OpenClawNodeStatus object that says whether this node is
  healthy (service, host process, gateway, connection, pairing, exec policy), from the live status the running host
  publishes in node-status.json; a killed or hung host is detected.
'@
        }
    }
}
