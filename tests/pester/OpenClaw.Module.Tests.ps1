#Requires -Version 5.1
<#
    Pester 5 tests of the packaged OpenClaw module, for machines with PowerShell (Windows PowerShell 5.1 or
    PowerShell 7). Run them with tests/pester/run.sh, ./build.ps1 -Task Test, or Invoke-Pester tests/pester.

    The module under test is $env:OPENCLAW_MODULE_MANIFEST, else out/OpenClaw/<ModuleVersion>/OpenClaw.psd1 as built
    by ./build.ps1 -Task Package or scripts/package.sh. Each test imports it in a new child process of the PowerShell
    that runs Pester (pwsh or powershell.exe), so the Pester session never loads the module's assemblies. A child
    writes its result as one JSON line; a child that runs longer than its time limit is killed and the test fails.
    Nothing here needs a gateway or the network.
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
    $script:ManifestData = Import-PowerShellDataFile -LiteralPath $script:Manifest
    $script:Shell = (Get-Process -Id $PID).Path
    $script:CommandClass = 'OpenClaw.PowerShell.Commands.StartOpenClawNodeCommand'

    # Runs $Script in a new PowerShell process that has imported the module under test, and returns the object the
    # script outputs last (through JSON). $Environment adds environment variables for the child.
    function Invoke-ModuleChild {
        param(
            [Parameter(Mandatory)] [string] $Script,
            [hashtable] $Environment = @{},
            [int] $TimeoutSeconds = 120
        )
        $marker = '<<<OPENCLAW-RESULT>>>'
        $full = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module -Name `$env:OPENCLAW_TEST_MANIFEST
`$result = & { $Script }
'$marker' + (ConvertTo-Json -InputObject `$result -Depth 5 -Compress)
"@
        $psi = New-Object System.Diagnostics.ProcessStartInfo
        $psi.FileName = $script:Shell
        $psi.Arguments = '-NoProfile -NonInteractive -EncodedCommand ' + [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($full))
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.EnvironmentVariables['OPENCLAW_TEST_MANIFEST'] = $script:Manifest
        foreach ($key in $Environment.Keys) { $psi.EnvironmentVariables[$key] = [string]$Environment[$key] }

        $process = [System.Diagnostics.Process]::Start($psi)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            try { $process.Kill() } catch { }
            throw "The child PowerShell did not finish within $TimeoutSeconds s. Output so far:`n$($stdout.Result)`n$($stderr.Result)"
        }
        $process.WaitForExit()
        $line = @($stdout.Result -split "`r?`n" | Where-Object { $_.StartsWith($marker) }) | Select-Object -Last 1
        if (-not $line) {
            throw "The child PowerShell exited with $($process.ExitCode) and no result.`nstdout:`n$($stdout.Result)`nstderr:`n$($stderr.Result)"
        }
        $json = $line.Substring($marker.Length)
        if ($json -eq 'null' -or -not $json) { return $null }
        return ($json | ConvertFrom-Json)
    }

    # A loopback TCP port with nothing listening on it (bound once, then released).
    function Get-ClosedPort {
        $listener = New-Object System.Net.Sockets.TcpListener([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { return ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port } finally { $listener.Stop() }
    }

    function New-TempDirectory {
        $path = Join-Path ([System.IO.Path]::GetTempPath()) ('openclaw-pester-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $path | Out-Null
        return $path
    }
}

Describe 'The OpenClaw module' {
    It 'imports, with the version and name of its manifest' {
        $r = Invoke-ModuleChild -Script '
            $m = Get-Module -Name OpenClaw
            [pscustomobject]@{ Name = $m.Name; Version = $m.Version.ToString(); ModuleType = "$($m.ModuleType)" }'
        $r.Name | Should -Be 'OpenClaw'
        $r.Version | Should -Be $script:ManifestData.ModuleVersion
        $r.ModuleType | Should -Be 'Binary'
    }

    It 'exports exactly the cmdlets of CmdletsToExport, and no functions, aliases or variables' {
        $r = Invoke-ModuleChild -Script '
            $m = Get-Module -Name OpenClaw
            [pscustomobject]@{
                Commands  = (@($m.ExportedCommands.Keys | Sort-Object) -join ",")
                Cmdlets   = (@($m.ExportedCmdlets.Keys | Sort-Object) -join ",")
                Functions = (@($m.ExportedFunctions.Keys) -join ",")
                Aliases   = (@($m.ExportedAliases.Keys) -join ",")
                Variables = (@($m.ExportedVariables.Keys) -join ",")
            }'
        $expected = (@($script:ManifestData.CmdletsToExport | Sort-Object) -join ',')
        $expected | Should -Not -BeNullOrEmpty
        $r.Commands | Should -Be $expected
        $r.Cmdlets | Should -Be $expected
        $r.Functions | Should -BeNullOrEmpty
        $r.Aliases | Should -BeNullOrEmpty
        $r.Variables | Should -BeNullOrEmpty
    }

    It 'applies the default view to OpenClawNodeStatus' {
        $r = Invoke-ModuleChild -Script '
            [pscustomobject]@{ Views = (@(Get-FormatData -TypeName OpenClaw.PowerShell.OpenClawNodeStatus).Count) }'
        $r.Views | Should -BeGreaterThan 0
    }
}

Describe 'Help' {
    BeforeAll {
        # The synopsis as written in docs/Start-OpenClawNode.md, whitespace collapsed.
        $text = [System.IO.File]::ReadAllText((Join-Path $script:RepoRoot 'docs/Start-OpenClawNode.md')) -replace "`r`n", "`n"
        if ($text -match '(?s)\n## SYNOPSIS\s*\n(.*?)\n## ') { $script:DocSynopsis = $Matches[1].Trim() -replace '\s+', ' ' }
        else { throw 'docs/Start-OpenClawNode.md has no SYNOPSIS section.' }
    }

    It 'Get-Help Start-OpenClawNode has the synopsis of the docs and examples' {
        $r = Invoke-ModuleChild -Script '
            $h = Get-Help -Name Start-OpenClawNode -Full
            [pscustomobject]@{
                HelpFile = (Get-Command Start-OpenClawNode).HelpFile
                Synopsis = ("$($h.Synopsis)".Trim() -replace "\s+", " ")
                Examples = @($h.examples.example | Where-Object { $_ }).Count
                Parameters = @($h.parameters.parameter | Where-Object { $_ } | ForEach-Object { $_.name }) -join ","
            }'
        $maml = Join-Path (Split-Path -Parent $script:Manifest) "en-US/$($r.HelpFile)"
        (Test-Path -LiteralPath $maml) | Should -BeTrue -Because "$maml holds the help (built from docs/ by platyPS: ./build.ps1 -Task Package with Microsoft.PowerShell.PlatyPS installed)"
        $r.Synopsis | Should -Not -BeNullOrEmpty
        $r.Synopsis | Should -Not -BeLike 'Start-OpenClawNode *' -Because 'a synopsis that is the syntax means the MAML help was not found'
        $r.Synopsis | Should -Be $script:DocSynopsis
        $r.Examples | Should -BeGreaterOrEqual 2
        $r.Parameters | Should -Match 'Token'
    }

    It 'Get-Help about_OpenClaw finds the about topic' {
        $r = Invoke-ModuleChild -Script '
            [pscustomobject]@{ Text = (Get-Help -Name about_OpenClaw | Out-String) }'
        $r.Text | Should -Match 'about_OpenClaw'
        $r.Text | Should -Match 'STATE DIRECTORY'
    }
}

Describe 'Start-OpenClawNode errors' {
    BeforeAll {
        $script:State = New-TempDirectory
    }

    AfterAll {
        if ($script:State -and (Test-Path -LiteralPath $script:State)) { Remove-Item -LiteralPath $script:State -Recurse -Force }
    }

    It 'rejects -Port <Port> with a parameter binding error (<Id>)' -TestCases @(
        @{ Port = '70000'; Id = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Port = '0'; Id = 'ParameterArgumentValidationError'; Category = 'InvalidData' }
        @{ Port = 'eighty'; Id = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument' }
    ) {
        $r = Invoke-ModuleChild -TimeoutSeconds 60 -Environment @{ OPENCLAW_T_PORT = $Port; OPENCLAW_T_STATE = $script:State } -Script '
            try {
                Start-OpenClawNode -HostName 127.0.0.1 -Port $env:OPENCLAW_T_PORT -StateDirectory $env:OPENCLAW_T_STATE | Out-Null
                [pscustomobject]@{ Id = "no error" }
            }
            catch {
                [pscustomobject]@{
                    Id        = $_.FullyQualifiedErrorId
                    Category  = "$($_.CategoryInfo.Category)"
                    IsBinding = $_.Exception -is [System.Management.Automation.ParameterBindingException]
                }
            }'
        $r.Id | Should -Be "$Id,$script:CommandClass"
        $r.IsBinding | Should -BeTrue
        $r.Category | Should -Be $Category
    }

    It 'fails with NodeConfigurationInvalid when the state directory is corrupt, before connecting' {
        $dir = Join-Path $script:State 'corrupt'
        New-Item -ItemType Directory -Path $dir | Out-Null
        $nodeJson = Join-Path $dir 'node.json'
        [System.IO.File]::WriteAllText($nodeJson, '{ "gateway": { "host": "127.0.0.1", ')   # truncated JSON
        $port = Get-ClosedPort

        $r = Invoke-ModuleChild -TimeoutSeconds 90 -Environment @{ OPENCLAW_T_PORT = $port; OPENCLAW_T_STATE = $dir } -Script '
            $statuses = New-Object System.Collections.Generic.List[object]
            try {
                Start-OpenClawNode -HostName 127.0.0.1 -Port $env:OPENCLAW_T_PORT -StateDirectory $env:OPENCLAW_T_STATE -ErrorAction Stop |
                    ForEach-Object { $statuses.Add($_) }
                [pscustomobject]@{ Id = "no error" }
            }
            catch {
                [pscustomobject]@{
                    Id       = $_.FullyQualifiedErrorId
                    Category = "$($_.CategoryInfo.Category)"
                    Message  = $_.Exception.Message
                    States   = (@($statuses | ForEach-Object { $_.State }) -join ",")
                }
            }'
        $r.Id | Should -Be "NodeConfigurationInvalid,$script:CommandClass"
        $r.Category | Should -Be 'InvalidData'
        $r.Message | Should -Match 'node\.json'
        $r.States | Should -Not -Match 'Connecting' -Because 'a corrupt state directory is reported before any connection attempt'
        [System.IO.File]::ReadAllText($nodeJson) | Should -Be '{ "gateway": { "host": "127.0.0.1", ' -Because 'the corrupt file is left as it was'
    }
}
