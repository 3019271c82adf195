#Requires -Version 5.1
<#
.SYNOPSIS
    Intune detection script (Proactive Remediations / Win32 app custom detection) for an OpenClaw node.

.DESCRIPTION
    Exits 0 and writes one line when the OpenClaw node service is installed and running, the node host is connected
    to its gateway with device and command surface approved, and the node's exec approvals are at least as strict as
    the expected security and ask modes. Exits 1 with one line naming the first failed check otherwise.
    Runs as SYSTEM under Windows PowerShell 5.1, 64-bit or 32-bit (a 32-bit host re-launches itself 64-bit, where the
    service and the module live). Never prompts and writes nothing to stderr. Change the parameter defaults, or set
    them through HKLM:\SOFTWARE\Policies\OpenClaw (ExpectedSecurity, ExpectedAsk, StateDirectory); parameters win.

.NOTES
    Exit codes: 0 compliant, 1 not compliant or the check itself failed. The last line of output is the reason.
#>
[CmdletBinding()]
param(
    [ValidateSet('Deny', 'Allowlist', 'Full')] [string] $ExpectedSecurity = 'Allowlist',   # the loosest acceptable security
    [ValidateSet('Off', 'OnMiss', 'Always')] [string] $ExpectedAsk = 'OnMiss',             # the least asking acceptable mode
    [string] $StateDirectory                                                                 # default $env:ProgramData\OpenClaw\node
)

# Intune runs 32-bit PowerShell unless told otherwise: re-run in the 64-bit host, where the service is registered.
if ($env:PROCESSOR_ARCHITEW6432 -eq 'AMD64' -and (Test-Path "$env:WINDIR\sysnative\WindowsPowerShell\v1.0\powershell.exe")) {
    $forward = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $PSCommandPath)
    foreach ($p in $PSBoundParameters.GetEnumerator()) { $forward += "-$($p.Key)"; $forward += [string]$p.Value }
    & "$env:WINDIR\sysnative\WindowsPowerShell\v1.0\powershell.exe" @forward
    exit $LASTEXITCODE
}

# Fleet policy fills what the command line does not give.
$policy = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\OpenClaw' -ErrorAction SilentlyContinue
foreach ($name in 'ExpectedSecurity', 'ExpectedAsk', 'StateDirectory') {
    if (-not $PSBoundParameters.ContainsKey($name) -and $null -ne $policy -and $null -ne $policy.$name -and "$($policy.$name)" -ne '') {
        Set-Variable -Name $name -Value $policy.$name
    }
}
if (-not $StateDirectory) { $StateDirectory = Join-Path $env:ProgramData 'OpenClaw\node' }

try {
    Import-Module OpenClaw -ErrorAction Stop
    $result = Test-OpenClawNode -StateDirectory $StateDirectory -ExpectedSecurity $ExpectedSecurity -ExpectedAsk $ExpectedAsk -Detailed -ErrorAction Stop
}
catch {
    Write-Output "OpenClaw node: the check failed: $($_.Exception.Message)"
    exit 1
}

if ($result.Passed) {
    Write-Output "OpenClaw node compliant: $($result.Summary)"
    exit 0
}
Write-Output "OpenClaw node not compliant: $($result.Summary)"
exit 1
