#Requires -Version 5.1
<#
.SYNOPSIS
    Intune remediation script for an OpenClaw node: installs or repairs the node service idempotently.

.DESCRIPTION
    Installs the OpenClaw node host as a boot-start Windows service (-Scope System, virtual account) when it is missing,
    starts it when it is stopped, restarts it when it runs but is not connected, and tightens the local exec approvals
    to the expected security and ask modes (never loosens them). Running it on a healthy node changes nothing.
    The gateway token is read from a file that only SYSTEM and Administrators can read (deployed by a Win32 app or a
    secure script); it is never written to the service definition, a command line or this script's output.
    Runs as SYSTEM under Windows PowerShell 5.1, 64-bit or 32-bit (a 32-bit host re-launches itself 64-bit). Never
    prompts: every cmdlet gets -Confirm:$false.

.NOTES
    Exit codes: 0 remediated or already compliant, 1 remediation failed. The last line of output says what was done.
    Settings come from the parameter defaults or from HKLM:\SOFTWARE\Policies\OpenClaw (GatewayHost, GatewayPort,
    TlsFingerprint, TokenFile, StateDirectory, ExpectedSecurity, ExpectedAsk); parameters win.
#>
[CmdletBinding()]
param(
    [string] $GatewayHost = 'gateway.corp.example',
    [ValidateRange(1, 65535)] [int] $GatewayPort = 18789,
    [string] $TlsFingerprint,                                        # e.g. 'sha256:06:7E:...'; empty = normal certificate validation
    [string] $TokenFile,                                             # default $env:ProgramData\OpenClaw\gateway.token
    [string] $StateDirectory,                                        # default $env:ProgramData\OpenClaw\node
    [ValidateSet('Deny', 'Allowlist', 'Full')] [string] $ExpectedSecurity = 'Allowlist',
    [ValidateSet('Off', 'OnMiss', 'Always')] [string] $ExpectedAsk = 'OnMiss'
)

if ($env:PROCESSOR_ARCHITEW6432 -eq 'AMD64' -and (Test-Path "$env:WINDIR\sysnative\WindowsPowerShell\v1.0\powershell.exe")) {
    $forward = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $PSCommandPath)
    foreach ($p in $PSBoundParameters.GetEnumerator()) { $forward += "-$($p.Key)"; $forward += [string]$p.Value }
    & "$env:WINDIR\sysnative\WindowsPowerShell\v1.0\powershell.exe" @forward
    exit $LASTEXITCODE
}

$policy = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\OpenClaw' -ErrorAction SilentlyContinue
foreach ($name in 'GatewayHost', 'GatewayPort', 'TlsFingerprint', 'TokenFile', 'StateDirectory', 'ExpectedSecurity', 'ExpectedAsk') {
    if (-not $PSBoundParameters.ContainsKey($name) -and $null -ne $policy -and $null -ne $policy.$name -and "$($policy.$name)" -ne '') {
        Set-Variable -Name $name -Value $policy.$name
    }
}
if (-not $TokenFile) { $TokenFile = Join-Path $env:ProgramData 'OpenClaw\gateway.token' }
if (-not $StateDirectory) { $StateDirectory = Join-Path $env:ProgramData 'OpenClaw\node' }

try {
    Import-Module OpenClaw -ErrorAction Stop
    $status = Get-OpenClawNodeStatus -StateDirectory $StateDirectory -ErrorAction Stop
    $done = @()

    if (-not $status.ServiceInstalled) {
        if (-not (Test-Path -LiteralPath $TokenFile -PathType Leaf)) {
            throw "The gateway token file '$TokenFile' does not exist. Deploy it (readable by SYSTEM and Administrators only) and run again."
        }
        $token = ConvertTo-SecureString -String ((Get-Content -LiteralPath $TokenFile -Raw).Trim()) -AsPlainText -Force
        $install = @{
            HostName       = $GatewayHost
            Port           = $GatewayPort
            StateDirectory = $StateDirectory
            Scope          = 'System'
            DisplayName    = $env:COMPUTERNAME
            Token          = $token
            Confirm        = $false
            ErrorAction    = 'Stop'
        }
        if ($TlsFingerprint) { $install.Tls = $true; $install.TlsFingerprint = $TlsFingerprint }
        $null = Install-OpenClawNode @install
        $done += 'installed the service'
    }
    elseif (-not $status.ServiceRunning) {
        $null = Start-OpenClawNode -Service -Scope System -Confirm:$false -ErrorAction Stop
        $done += 'started the service'
    }
    elseif (-not $status.Connected -and $status.HostState -ne 'PairingRequired' -and $status.HostState -ne 'AwaitingApproval') {
        $null = Restart-OpenClawNode -Scope System -Confirm:$false -ErrorAction Stop
        $done += 'restarted the service'
    }

    $policyNow = Get-OpenClawExecApproval -StateDirectory $StateDirectory -ErrorAction Stop | Where-Object { -not $_.AgentId } | Select-Object -First 1
    # Strictness order (lower is stricter): only ever tighten.
    $securityOrder = @{ Deny = 0; Allowlist = 1; Full = 2 }
    $askOrder = @{ Always = 0; OnMiss = 1; Off = 2 }
    $edit = @{}
    if ($securityOrder["$($policyNow.Security)"] -gt $securityOrder[$ExpectedSecurity]) { $edit.Security = $ExpectedSecurity }
    if ($askOrder["$($policyNow.Ask)"] -gt $askOrder[$ExpectedAsk]) { $edit.Ask = $ExpectedAsk }
    if ($edit.Count -gt 0) {
        Edit-OpenClawExecApproval -StateDirectory $StateDirectory @edit -Confirm:$false -ErrorAction Stop
        $done += "tightened exec approvals ($(($edit.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ', '))"
    }

    if ($done.Count -eq 0) { Write-Output 'OpenClaw node: nothing to remediate.' }
    else { Write-Output "OpenClaw node: $($done -join '; ')." }
    exit 0
}
catch {
    Write-Output "OpenClaw node remediation failed: $($_.Exception.Message)"
    exit 1
}
