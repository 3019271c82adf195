#Requires -Version 5.1
<#
    Pester 5 tests of the Intune scripts (Intune/*.ps1) and the DSC v3 resource (OpenClaw.Node.dsc.resource.json,
    openclaw-node dsc) of the packaged module, for machines with PowerShell. Run them with tests/pester/run.sh,
    ./build.ps1 -Task Test, or Invoke-Pester tests/pester.

    The module under test is $env:OPENCLAW_MODULE_MANIFEST, else out/OpenClaw/<ModuleVersion>/OpenClaw.psd1. Each
    script runs in a new child process of the PowerShell that runs Pester (powershell.exe -File on Windows PowerShell,
    pwsh -File on PowerShell 7), with the package's folder first on PSModulePath, exactly as Intune starts it. Nothing
    here needs a gateway, administrator rights or the network; nothing is installed.
#>

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).Path
    $script:Manifest = $env:OPENCLAW_MODULE_MANIFEST
    if (-not $script:Manifest) {
        $props = New-Object System.Xml.XmlDocument
        $props.Load((Join-Path $script:RepoRoot 'Directory.Build.props'))
        $version = $props.SelectSingleNode('/Project/PropertyGroup/ModuleVersion').InnerText.Trim()
        $script:Manifest = Join-Path $script:RepoRoot "out/OpenClaw/$version/OpenClaw.psd1"
    }
    if (-not (Test-Path -LiteralPath $script:Manifest)) {
        throw "The packaged module is missing: $script:Manifest. Build it first with ./build.ps1 -Task Package (or scripts/package.sh)."
    }
    $script:ModuleFolder = Split-Path -Parent $script:Manifest
    $script:PackageRoot = Split-Path -Parent (Split-Path -Parent $script:ModuleFolder)
    $script:Shell = (Get-Process -Id $PID).Path
    $exeName = if ($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop') { 'openclaw-node.exe' } else { 'openclaw-node' }
    $script:HostExe = (Get-ChildItem -LiteralPath (Join-Path $script:ModuleFolder 'bin') -Recurse -Filter $exeName | Select-Object -First 1).FullName

    # Runs a file (a script with arguments, or the host) in a child process; returns exit code, stdout and stderr lines.
    function Invoke-Child {
        param([string] $FileName, [string[]] $Arguments, [string] $StandardInput, [int] $TimeoutSeconds = 120)
        $psi = New-Object System.Diagnostics.ProcessStartInfo
        $psi.FileName = $FileName
        $psi.Arguments = ($Arguments | ForEach-Object { if ($_ -match '[\s"]') { '"' + ($_ -replace '"', '\"') + '"' } else { $_ } }) -join ' '
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.RedirectStandardInput = $PSBoundParameters.ContainsKey('StandardInput')
        $psi.EnvironmentVariables['PSModulePath'] = $script:PackageRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
        $process = [System.Diagnostics.Process]::Start($psi)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if ($psi.RedirectStandardInput) { $process.StandardInput.Write($StandardInput); $process.StandardInput.Close() }
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            try { $process.Kill() } catch { }
            throw "$FileName did not finish within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Out      = @($stdout.Result -split "`r?`n" | Where-Object { $_ })
            Err      = @($stderr.Result -split "`r?`n" | Where-Object { $_ })
        }
    }

    function Invoke-IntuneScript {
        param([string] $Name, [string[]] $Arguments)
        Invoke-Child -FileName $script:Shell -Arguments (@('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', (Join-Path $script:ModuleFolder "Intune/$Name")) + $Arguments)
    }
}

Describe 'Intune scripts' {
    BeforeEach {
        $script:Temp = Join-Path ([System.IO.Path]::GetTempPath()) ('oc-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    }
    AfterEach {
        if (Test-Path -LiteralPath $script:Temp) { Remove-Item -LiteralPath $script:Temp -Recurse -Force }
    }

    It '<_> parses, and exits only at its top level' -ForEach @('Detect-OpenClawNode.ps1', 'Remediate-OpenClawNode.ps1', 'Install-OpenClawNodeApp.ps1', 'Uninstall-OpenClawNodeApp.ps1') {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $script:ModuleFolder "Intune/$_"), [ref]$tokens, [ref]$errors)
        $errors | Should -BeNullOrEmpty
        $exits = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.ExitStatementAst] }, $true)
        $exits | Should -Not -BeNullOrEmpty
        foreach ($e in $exits) {
            for ($p = $e.Parent; $null -ne $p; $p = $p.Parent) {
                $p | Should -Not -BeOfType ([System.Management.Automation.Language.FunctionDefinitionAst])
                $p | Should -Not -BeOfType ([System.Management.Automation.Language.ScriptBlockExpressionAst])
            }
        }
    }

    It 'detection of a node that is not installed exits 1 with one stdout line and nothing on stderr' {
        $r = Invoke-IntuneScript -Name 'Detect-OpenClawNode.ps1' -Arguments @('-StateDirectory', $script:Temp)
        $r.ExitCode | Should -Be 1
        $r.Out | Should -HaveCount 1
        $r.Out[0] | Should -BeLike 'OpenClaw node not compliant: *'
        $r.Err | Should -BeNullOrEmpty
    }

    It 'remediation without a token file exits 1 naming the file' {
        $token = Join-Path $script:Temp 'gateway.token'
        $r = Invoke-IntuneScript -Name 'Remediate-OpenClawNode.ps1' -Arguments @('-GatewayHost', 'gw.example.com', '-StateDirectory', (Join-Path $script:Temp 'state'), '-TokenFile', $token)
        $r.ExitCode | Should -Be 1
        $r.Out[-1] | Should -BeLike "OpenClaw node remediation failed: *$token*"
        Test-Path -LiteralPath $script:Temp | Should -BeFalse
    }

    It 'the Win32 app install without a gateway host exits 1 and says how to give one' {
        $r = Invoke-IntuneScript -Name 'Install-OpenClawNodeApp.ps1' -Arguments @('-StateDirectory', (Join-Path $script:Temp 'state'), '-TokenFile', (Join-Path $script:Temp 'gateway.token'))
        $r.ExitCode | Should -Be 1
        $r.Out[-1] | Should -BeLike 'OpenClaw node install failed: No gateway host*GatewayHost*'
    }
}

Describe 'DSC v3 resource OpenClaw/Node' {
    BeforeAll {
        $script:DscManifest = Get-Content -LiteralPath (Join-Path $script:ModuleFolder 'OpenClaw.Node.dsc.resource.json') -Raw | ConvertFrom-Json
    }
    BeforeEach {
        $script:Temp = Join-Path ([System.IO.Path]::GetTempPath()) ('oc-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $script:Instance = @{ stateDirectory = $script:Temp } | ConvertTo-Json -Compress
    }
    AfterEach {
        if (Test-Path -LiteralPath $script:Temp) { Remove-Item -LiteralPath $script:Temp -Recurse -Force }
    }

    It 'ships the manifest at the module root and next to the host' {
        $script:DscManifest.type | Should -Be 'OpenClaw/Node'
        Test-Path -LiteralPath (Join-Path (Split-Path -Parent $script:HostExe) 'OpenClaw.Node.dsc.resource.json') | Should -BeTrue
    }

    It 'get of a node that is not installed reports _exist false' {
        $r = Invoke-Child -FileName $script:HostExe -Arguments $script:DscManifest.get.args -StandardInput $script:Instance
        $r.ExitCode | Should -Be 0
        $state = $r.Out[0] | ConvertFrom-Json
        $state._exist | Should -BeFalse
        $state.stateDirectory | Should -Be $script:Temp
    }

    It 'test reports the differing properties and set --what-if changes nothing' {
        $desired = @{ stateDirectory = $script:Temp; execSecurity = 'allowlist'; displayName = 'pester-node' } | ConvertTo-Json -Compress
        $r = Invoke-Child -FileName $script:HostExe -Arguments $script:DscManifest.test.args -StandardInput $desired
        $r.ExitCode | Should -Be 0
        ($r.Out[0] | ConvertFrom-Json)._inDesiredState | Should -BeFalse
        ($r.Out[1] | ConvertFrom-Json) | Should -Contain 'execSecurity'
        $w = Invoke-Child -FileName $script:HostExe -Arguments $script:DscManifest.whatIf.args -StandardInput $desired
        $w.ExitCode | Should -Be 0
        ($w.Out[0] | ConvertFrom-Json).displayName | Should -Be 'pester-node'
        Test-Path -LiteralPath $script:Temp | Should -BeFalse
    }

    It 'invalid input exits 2 with a JSON error line naming the property' {
        $r = Invoke-Child -FileName $script:HostExe -Arguments $script:DscManifest.get.args -StandardInput '{"gatewayPort":"x"}'
        $r.ExitCode | Should -Be 2
        ($r.Err[0] | ConvertFrom-Json).error | Should -BeLike "*'gatewayPort'*"
    }
}
