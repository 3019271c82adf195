#Requires -Version 5.1
<#
.SYNOPSIS
    Intune Win32 app uninstall command: removes the OpenClaw node service and the module installed by
    Install-OpenClawNodeApp.ps1.

.DESCRIPTION
    Runs as SYSTEM under Windows PowerShell 5.1 (a 32-bit host re-launches itself 64-bit). Never prompts.
    Stops and removes the boot-start service and its token file (Uninstall-OpenClawNode -Scope System; succeeds when
    nothing is installed; run through the module's openclaw-node.exe, the engine of Uninstall-OpenClawNode), removes the module folder of this app's version from
    $env:ProgramFiles\WindowsPowerShell\Modules\OpenClaw (every version with -AllVersions) and its PATH entry.
    The state directory (device identity, device token, exec approvals) is kept, so a reinstall keeps the node's
    pairing; -RemoveState deletes it too (the node must then be paired again).
    A transcript goes to $env:ProgramData\OpenClaw\logs\Uninstall-OpenClawNodeApp.log.

.PARAMETER StateDirectory
    The node's state directory. Default: HKLM:\SOFTWARE\Policies\OpenClaw StateDirectory, else
    $env:ProgramData\OpenClaw\node.

.PARAMETER AllVersions
    Remove every installed version of the module, not only this app's.

.PARAMETER RemoveState
    Also delete the state directory (identity and pairing are lost).

.NOTES
    Return codes: 0 removed or nothing to remove; 1618 another OpenClaw install or uninstall is running (Intune
    retries); 1 failed (the last line of output and the transcript say why). 3010 and 1641 are never returned.
    Intune uninstall command:
      %SystemRoot%\sysnative\WindowsPowerShell\v1.0\powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File .\Intune\Uninstall-OpenClawNodeApp.ps1
#>
[CmdletBinding()]
param(
    [string] $StateDirectory,
    [switch] $AllVersions,
    [switch] $RemoveState
)

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
if (-not $StateDirectory) {
    $policy = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\OpenClaw' -ErrorAction SilentlyContinue
    $StateDirectory = if ($null -ne $policy -and $policy.StateDirectory) { $policy.StateDirectory } else { Join-Path $env:ProgramData 'OpenClaw\node' }
}

# One OpenClaw install or uninstall at a time (Intune retries 1618). Without the right to create a global object
# (an unelevated test run) the script runs unguarded.
$mutex = $null
try { $mutex = New-Object System.Threading.Mutex($false, 'Global\OpenClawNodeApp') } catch { }
$acquired = $true
if ($mutex) {
    try { $acquired = $mutex.WaitOne(0) } catch [System.Threading.AbandonedMutexException] { $acquired = $true }
}
if (-not $acquired) {
    Write-Output 'OpenClaw node uninstall: another OpenClaw install or uninstall is running; Intune retries later (1618).'
    exit 1618
}
$transcript = $false
try {
    $logDir = Join-Path $env:ProgramData 'OpenClaw\logs'
    $null = New-Item -ItemType Directory -Path $logDir -Force
    $null = Start-Transcript -LiteralPath (Join-Path $logDir 'Uninstall-OpenClawNodeApp.log') -Append
    $transcript = $true
}
catch { }

try {
    $modules = Join-Path $env:ProgramFiles 'WindowsPowerShell\Modules\OpenClaw'
    $sourceManifest = Join-Path (Split-Path -Parent $PSScriptRoot) 'OpenClaw.psd1'
    $version = if (Test-Path -LiteralPath $sourceManifest -PathType Leaf) { (Import-PowerShellDataFile -LiteralPath $sourceManifest).ModuleVersion } else { $null }
    $installed = @(Get-ChildItem -LiteralPath $modules -Directory -ErrorAction SilentlyContinue | Where-Object { Test-Path -LiteralPath (Join-Path $_.FullName 'OpenClaw.psd1') })

    # The service first: it runs openclaw-node.exe from a module folder, which cannot be deleted while it runs. The
    # host executable removes it (the same engine as Uninstall-OpenClawNode), so this process never loads the module's
    # assemblies and can delete the folder afterwards.
    $done = @()
    $roots = @($installed | Sort-Object { [version]$_.Name } -Descending | ForEach-Object { $_.FullName }) + @(Split-Path -Parent $PSScriptRoot)
    $exe = $roots | ForEach-Object { Get-ChildItem -LiteralPath (Join-Path $_ 'bin') -Recurse -Filter 'openclaw-node.exe' -ErrorAction SilentlyContinue } | Select-Object -First 1
    if ($exe) {
        $json = & $exe.FullName uninstall --scope system --json
        if ($LASTEXITCODE -ne 0) { throw "openclaw-node uninstall failed (exit $LASTEXITCODE): $json" }
        $done += "service $(($json | Out-String | ConvertFrom-Json).result)"
    }

    foreach ($folder in $installed) {
        if ($AllVersions -or -not $version -or $folder.Name -eq $version) {
            Remove-Item -LiteralPath $folder.FullName -Recurse -Force
            $done += "module $($folder.Name) removed"
        }
    }
    if ((Test-Path -LiteralPath $modules) -and -not (Get-ChildItem -LiteralPath $modules -Force)) { Remove-Item -LiteralPath $modules -Force }

    $machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
    $entries = @($machinePath -split ';' | Where-Object { $_ })
    $kept = @($entries | Where-Object { $_ -notlike "$modules\*" -or (Test-Path -LiteralPath $_) })
    if ($kept.Count -ne $entries.Count) { [Environment]::SetEnvironmentVariable('Path', ($kept -join ';'), 'Machine') }

    if ($RemoveState -and (Test-Path -LiteralPath $StateDirectory)) {
        Remove-Item -LiteralPath $StateDirectory -Recurse -Force
        $done += "state directory $StateDirectory removed"
    }

    if ($done.Count -eq 0) { Write-Output 'OpenClaw node uninstall: nothing was installed.' }
    else { Write-Output "OpenClaw node uninstalled: $($done -join '; ')." }
    $code = 0
}
catch {
    Write-Output "OpenClaw node uninstall failed: $($_.Exception.Message)"
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
