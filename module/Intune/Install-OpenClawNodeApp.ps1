#Requires -Version 5.1
<#
.SYNOPSIS
    Intune Win32 app install command: installs the OpenClaw module for all users and the node host as a boot-start
    Windows service.

.DESCRIPTION
    Runs as SYSTEM under Windows PowerShell 5.1 from the Win32 app's content (this module folder, with this script in
    its Intune subfolder). A 32-bit host re-launches itself in the 64-bit Windows PowerShell (sysnative), where the
    service and the module live. Never prompts.

    1. Copies the module to $env:ProgramFiles\WindowsPowerShell\Modules\OpenClaw\<version> (through a staging folder
       that is renamed when complete; an existing folder of this version is kept).
    2. Imports it from there and runs Install-OpenClawNode -Scope System -Force with the gateway settings, the token
       read from -TokenFile (a file only SYSTEM and Administrators can read; it is never logged or put on a command
       line), and the state directory under $env:ProgramData.
    3. Optionally sets the exec approvals defaults (-Security, -Ask) and adds the host folder to the machine PATH
       (-AddHostToPath), where DSC v3 finds OpenClaw.Node.dsc.resource.json and openclaw-node.exe.

    Settings not given as parameters come from HKLM:\SOFTWARE\Policies\OpenClaw (GatewayHost, GatewayPort, Tls,
    TlsFingerprint, TokenFile, StateDirectory); parameters win. A transcript goes to
    $env:ProgramData\OpenClaw\logs\Install-OpenClawNodeApp.log.

.PARAMETER GatewayHost
    Gateway host name or IP address. Required here or in the policy key.

.PARAMETER GatewayPort
    Gateway port. Default 18789.

.PARAMETER Tls
    Connect with TLS (wss://).

.PARAMETER TlsFingerprint
    SHA-256 of the gateway certificate to pin (implies -Tls).

.PARAMETER TokenFile
    File holding the shared gateway token. Default $env:ProgramData\OpenClaw\gateway.token. Needed unless the state
    directory already holds a device token (a reinstall).

.PARAMETER StateDirectory
    The node's state directory. Default $env:ProgramData\OpenClaw\node.

.PARAMETER DisplayName
    Name shown in the gateway's node list. Default the computer name.

.PARAMETER Security
    Exec approvals default security to set: Deny, Allowlist or Full. Default: leave the policy alone.

.PARAMETER Ask
    Exec approvals default ask mode to set: Off, OnMiss or Always. Default: leave the policy alone.

.PARAMETER AddHostToPath
    Add the module's bin\<runtime> folder to the machine PATH (for DSC v3 and for openclaw-node on the command line).

.NOTES
    Return codes (Intune's defaults): 0 installed; 1618 another OpenClaw install or uninstall is running (Intune
    retries); 1 failed (the last line of output and the transcript say why). 3010 and 1641 are never returned: nothing
    needs a restart.
    Intune install command:
      %SystemRoot%\sysnative\WindowsPowerShell\v1.0\powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File .\Intune\Install-OpenClawNodeApp.ps1 -GatewayHost gw.corp.example -Tls
#>
[CmdletBinding()]
param(
    [string] $GatewayHost,
    [ValidateRange(1, 65535)] [int] $GatewayPort = 18789,
    [switch] $Tls,
    [string] $TlsFingerprint,
    [string] $TokenFile,
    [string] $StateDirectory,
    [string] $DisplayName = $env:COMPUTERNAME,
    [ValidateSet('Deny', 'Allowlist', 'Full')] [string] $Security,
    [ValidateSet('Off', 'OnMiss', 'Always')] [string] $Ask,
    [switch] $AddHostToPath
)

# Intune may start the 32-bit Windows PowerShell: run again in the 64-bit one, with the same parameters.
if ($env:PROCESSOR_ARCHITEW6432 -eq 'AMD64' -and (Test-Path "$env:WINDIR\sysnative\WindowsPowerShell\v1.0\powershell.exe")) {
    $forward = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $PSCommandPath)
    foreach ($p in $PSBoundParameters.GetEnumerator()) {
        if ($p.Value -is [switch]) { if ($p.Value) { $forward += "-$($p.Key)" } }
        else { $forward += "-$($p.Key)"; $forward += [string]$p.Value }
    }
    & "$env:WINDIR\sysnative\WindowsPowerShell\v1.0\powershell.exe" @forward
    exit $LASTEXITCODE
}

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$policy = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\OpenClaw' -ErrorAction SilentlyContinue
foreach ($name in 'GatewayHost', 'GatewayPort', 'Tls', 'TlsFingerprint', 'TokenFile', 'StateDirectory') {
    if (-not $PSBoundParameters.ContainsKey($name) -and $null -ne $policy -and $null -ne $policy.$name -and "$($policy.$name)" -ne '') {
        Set-Variable -Name $name -Value $policy.$name
    }
}
if (-not $StateDirectory) { $StateDirectory = Join-Path $env:ProgramData 'OpenClaw\node' }
if (-not $TokenFile) { $TokenFile = Join-Path $env:ProgramData 'OpenClaw\gateway.token' }

# One OpenClaw install or uninstall at a time (Intune retries 1618). Without the right to create a global object
# (an unelevated test run) the script runs unguarded.
$mutex = $null
try { $mutex = New-Object System.Threading.Mutex($false, 'Global\OpenClawNodeApp') } catch { }
$acquired = $true
if ($mutex) {
    try { $acquired = $mutex.WaitOne(0) } catch [System.Threading.AbandonedMutexException] { $acquired = $true }
}
if (-not $acquired) {
    Write-Output 'OpenClaw node install: another OpenClaw install or uninstall is running; Intune retries later (1618).'
    exit 1618
}
$transcript = $false
try {
    $logDir = Join-Path $env:ProgramData 'OpenClaw\logs'
    $null = New-Item -ItemType Directory -Path $logDir -Force
    $null = Start-Transcript -LiteralPath (Join-Path $logDir 'Install-OpenClawNodeApp.log') -Append
    $transcript = $true
}
catch { }

try {
    if (-not $GatewayHost) {
        throw 'No gateway host: give -GatewayHost in the install command or set GatewayHost under HKLM:\SOFTWARE\Policies\OpenClaw.'
    }

    # 1. The module, for every user and for SYSTEM.
    $source = Split-Path -Parent $PSScriptRoot
    $sourceManifest = Join-Path $source 'OpenClaw.psd1'
    if (-not (Test-Path -LiteralPath $sourceManifest -PathType Leaf)) {
        throw "The app content is incomplete: '$sourceManifest' is missing. Package the whole module folder (out\OpenClaw\<version>) with the Win32 Content Prep Tool."
    }
    $version = (Import-PowerShellDataFile -LiteralPath $sourceManifest).ModuleVersion
    $modules = Join-Path $env:ProgramFiles 'WindowsPowerShell\Modules\OpenClaw'
    $target = Join-Path $modules $version
    if (-not (Test-Path -LiteralPath (Join-Path $target 'OpenClaw.psd1') -PathType Leaf)) {
        $staging = Join-Path $modules ".$version.partial-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Path $staging -Force
        Copy-Item -Path (Join-Path $source '*') -Destination $staging -Recurse -Force
        if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target -Recurse -Force }
        Rename-Item -LiteralPath $staging -NewName $version
        Write-Verbose "Copied the OpenClaw module $version to $target."
    }
    Import-Module (Join-Path $target 'OpenClaw.psd1') -Force

    # 2. The service (Force: an upgrade points it at this version's openclaw-node.exe).
    $install = @{
        HostName       = $GatewayHost
        Port           = [int]$GatewayPort
        StateDirectory = $StateDirectory
        Scope          = 'System'
        DisplayName    = $DisplayName
        Force          = $true
        Confirm        = $false
        ErrorAction    = 'Stop'
    }
    if ($Tls -or $TlsFingerprint) { $install.Tls = $true }
    if ($TlsFingerprint) { $install.TlsFingerprint = $TlsFingerprint }
    if (Test-Path -LiteralPath $TokenFile -PathType Leaf) {
        $install.Token = ConvertTo-SecureString -String ((Get-Content -LiteralPath $TokenFile -Raw).Trim()) -AsPlainText -Force
    }
    elseif (-not (Test-Path -LiteralPath (Join-Path $StateDirectory 'node.json') -PathType Leaf)) {
        throw "The gateway token file '$TokenFile' does not exist and the node has never connected. Deploy the token file (readable by SYSTEM and Administrators only) before this app, or give -TokenFile."
    }
    $result = Install-OpenClawNode @install
    if (-not $result.Ok) { throw "Install-OpenClawNode did not succeed: $($result.Message)" }

    # 3. Optional policy and PATH.
    $edit = @{}
    if ($Security) { $edit.Security = $Security }
    if ($Ask) { $edit.Ask = $Ask }
    if ($edit.Count -gt 0) { Edit-OpenClawExecApproval -StateDirectory $StateDirectory @edit -Confirm:$false -ErrorAction Stop }
    if ($AddHostToPath) {
        $bin = Split-Path -Parent (Get-ChildItem -LiteralPath (Join-Path $target 'bin') -Recurse -Filter 'openclaw-node.exe' | Select-Object -First 1).FullName
        $machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
        $entries = @($machinePath -split ';' | Where-Object { $_ -and $_ -notlike "$modules\*" })
        [Environment]::SetEnvironmentVariable('Path', (($entries + $bin) -join ';'), 'Machine')
    }

    Write-Output "OpenClaw node installed: module $version, service $($result.ServiceName) $($result.Result); $($result.Message)"
    $code = 0
}
catch {
    Write-Output "OpenClaw node install failed: $($_.Exception.Message)"
    $code = 1
}
finally {
    if ($transcript) { try { $null = Stop-Transcript } catch { } }
    if ($mutex) {
        if ($acquired) { $mutex.ReleaseMutex() }
        $mutex.Dispose()
    }
}
exit $code
