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

    It 'applies the default view to OpenClawNodeStateChange' {
        $r = Invoke-ModuleChild -Script '
            [pscustomobject]@{ Views = (@(Get-FormatData -TypeName OpenClaw.PowerShell.OpenClawNodeStateChange).Count) }'
        $r.Views | Should -BeGreaterThan 0
    }
}

Describe 'Dependency isolation' {
    # The engine and its dependencies load from Dependencies/ (a private AssemblyLoadContext on PowerShell 7, the
    # module's AssemblyResolve handler on Windows PowerShell 5.1), even when the session already holds other copies.
    It 'runs an engine operation with the engine and System.Text.Json taken from Dependencies/ or the runtime, never another module' {
        $r = Invoke-ModuleChild -Script '
            $state = Join-Path ([System.IO.Path]::GetTempPath()) ("oc-iso-" + [guid]::NewGuid().ToString("N"))
            Edit-OpenClawExecApproval -Security Allowlist -StateDirectory $state -Confirm:$false
            $policy = Get-OpenClawExecApproval -StateDirectory $state
            Remove-Item -LiteralPath $state -Recurse -Force
            $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq "OpenClaw.Node" }
            $json = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq "System.Text.Json" }
            [pscustomobject]@{
                Security = "$($policy.Security)"
                Engines  = @($engine).Count
                Engine   = @($engine)[0].Location
                Json     = (@($json | ForEach-Object { $_.Location }) -join ";")
                Context  = if ($PSVersionTable.PSEdition -eq "Core") { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(@($engine)[0]).GetType().Name } else { "AppDomain" }
            }'
        $deps = Join-Path (Split-Path -Parent $script:Manifest) 'Dependencies'
        $r.Security | Should -Be 'Allowlist'
        $r.Engines | Should -Be 1
        $r.Engine | Should -Be (Join-Path $deps 'OpenClaw.Node.dll')
        if ($PSVersionTable.PSEdition -eq 'Core') { $r.Context | Should -Be 'DependencyLoadContext' }
        # Windows PowerShell 5.1 has no System.Text.Json of its own: it must be ours.
        if ($PSVersionTable.PSEdition -eq 'Desktop') { $r.Json | Should -Be (Join-Path $deps 'System.Text.Json.dll') }
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

Describe 'Get-OpenClawExecApproval and Edit-OpenClawExecApproval' {
    BeforeAll {
        $script:GetClass = 'OpenClaw.PowerShell.Commands.GetOpenClawExecApprovalCommand'
        $script:EditClass = 'OpenClaw.PowerShell.Commands.EditOpenClawExecApprovalCommand'
        $script:ApprovalsRoot = New-TempDirectory

        # A new, empty state directory for one test (the file is created by the cmdlets under test).
        function New-StateDirectory {
            $path = Join-Path $script:ApprovalsRoot ([guid]::NewGuid().ToString('N'))
            New-Item -ItemType Directory -Path $path | Out-Null
            return $path
        }
    }

    AfterAll {
        if ($script:ApprovalsRoot -and (Test-Path -LiteralPath $script:ApprovalsRoot)) { Remove-Item -LiteralPath $script:ApprovalsRoot -Recurse -Force }
    }

    It 'applies the default views to the policy and allowlist entry types' {
        $r = Invoke-ModuleChild -Script '
            [pscustomobject]@{
                Policy = @(Get-FormatData -TypeName OpenClaw.PowerShell.OpenClawExecApprovalPolicy).Count
                Entry  = @(Get-FormatData -TypeName OpenClaw.PowerShell.OpenClawExecAllowlistEntry).Count
            }'
        $r.Policy | Should -BeGreaterThan 0
        $r.Entry | Should -BeGreaterThan 0
    }

    It 'reports the built-in defaults (full, off) when there is no file' {
        $dir = New-StateDirectory
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            $p = Get-OpenClawExecApproval -StateDirectory $env:OPENCLAW_T_STATE
            [pscustomobject]@{
                Count          = @($p).Count
                Exists         = $p.Exists
                Security       = "$($p.Security)"
                Ask            = "$($p.Ask)"
                AskFallback    = "$($p.AskFallback)"
                SecuritySource = $p.SecuritySource
                Hash           = $p.Hash
                Path           = $p.Path
                Allowlist      = @($p.Allowlist).Count
            }'
        $r.Count | Should -Be 1
        $r.Exists | Should -BeFalse
        $r.Security | Should -Be 'Full'
        $r.Ask | Should -Be 'Off'
        $r.AskFallback | Should -Be 'Deny'
        $r.SecuritySource | Should -Be 'the built-in default'
        $r.Hash | Should -BeLike 'missing:*'
        $r.Path | Should -Be (Join-Path $dir 'exec-approvals.json')
        $r.Allowlist | Should -Be 0
        (Test-Path -LiteralPath (Join-Path $dir 'exec-approvals.json')) | Should -BeFalse -Because 'reading never creates the file'
    }

    It 'uses $env:OPENCLAW_STATE_DIR when -StateDirectory is not given' {
        $dir = New-StateDirectory
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_STATE_DIR = $dir } -Script '
            Edit-OpenClawExecApproval -Security Deny -Confirm:$false
            $p = Get-OpenClawExecApproval
            [pscustomobject]@{ Path = $p.Path; Security = "$($p.Security)" }'
        $r.Path | Should -Be (Join-Path $dir 'exec-approvals.json')
        $r.Security | Should -Be 'Deny'
    }

    It 'round-trips an edit: defaults, an agent allowlist entry, then removal through the pipeline' {
        $dir = New-StateDirectory
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            $s = $env:OPENCLAW_T_STATE
            $passThru = Edit-OpenClawExecApproval -StateDirectory $s -Security Allowlist -Ask OnMiss -AskFallback Deny -Confirm:$false -PassThru
            $quiet = @(Edit-OpenClawExecApproval -StateDirectory $s -AgentId main -AddPattern "/usr/bin/git", "/usr/bin/curl" -ArgPattern "^status$" -Confirm:$false)
            Edit-OpenClawExecApproval -StateDirectory $s -AgentId main -AddPattern "/usr/bin/git" -ArgPattern "^status$" -Confirm:$false
            $main = Get-OpenClawExecApproval -StateDirectory $s -AgentId main, other
            $git = $main[0].Allowlist | Where-Object Pattern -eq "/usr/bin/git"
            $main[0].Allowlist | Where-Object Pattern -like "*curl*" | Edit-OpenClawExecApproval -StateDirectory $s -Remove -Confirm:$false
            $after = Get-OpenClawExecApproval -StateDirectory $s -AgentId main
            $defaults = Get-OpenClawExecApproval -StateDirectory $s
            [pscustomobject]@{
                PassThruType     = $passThru.GetType().FullName
                PassThruSecurity = "$($passThru.Security)"
                QuietCount       = $quiet.Count
                Count            = @($main).Count
                AgentIds         = (@($main | ForEach-Object { $_.AgentId }) -join ",")
                Security         = "$($main[0].Security)"
                Ask              = "$($main[0].Ask)"
                AskFallback      = "$($main[0].AskFallback)"
                Source           = $main[0].SecuritySource
                Exists           = $main[0].Exists
                Patterns         = (@($main[0].Allowlist | ForEach-Object { $_.Pattern }) -join ",")
                EntryType        = $git.GetType().FullName
                EntryAgent       = $git.AgentId
                EntryArgs        = $git.ArgPattern
                EntryId          = $git.Id
                OtherSecurity    = "$($main[1].Security)"
                OtherAllowlist   = @($main[1].Allowlist).Count
                After            = (@($after.Allowlist | ForEach-Object { $_.Pattern }) -join ",")
                AfterId          = (@($after.Allowlist | ForEach-Object { $_.Id }) -join ",")
                Agents           = (@($defaults.Agents) -join ",")
                DefaultsAllow    = (@($defaults.Allowlist | ForEach-Object { "$($_.AgentId):$($_.Pattern)" }) -join ",")
            }'
        $r.PassThruType | Should -Be 'OpenClaw.PowerShell.OpenClawExecApprovalPolicy'
        $r.PassThruSecurity | Should -Be 'Allowlist'
        $r.QuietCount | Should -Be 0 -Because 'without -PassThru the cmdlet writes nothing'
        $r.Count | Should -Be 2
        $r.AgentIds | Should -Be 'main,other'
        $r.Security | Should -Be 'Allowlist'
        $r.Ask | Should -Be 'OnMiss'
        $r.AskFallback | Should -Be 'Deny'
        $r.Source | Should -Be 'defaults.security'
        $r.Exists | Should -BeTrue
        $r.Patterns | Should -Be '/usr/bin/git,/usr/bin/curl' -Because 'the same pattern and argPattern is not added twice'
        $r.EntryType | Should -Be 'OpenClaw.PowerShell.OpenClawExecAllowlistEntry'
        $r.EntryAgent | Should -Be 'main'
        $r.EntryArgs | Should -Be '^status$'
        $r.EntryId | Should -Not -BeNullOrEmpty
        $r.OtherSecurity | Should -Be 'Allowlist' -Because 'an agent without an entry inherits the defaults'
        $r.OtherAllowlist | Should -Be 0
        $r.After | Should -Be '/usr/bin/git'
        $r.AfterId | Should -Be $r.EntryId -Because 'the remaining entry keeps its id'
        $r.Agents | Should -Be 'main'
        $r.DefaultsAllow | Should -Be 'main:/usr/bin/git'

        $text = [System.IO.File]::ReadAllText((Join-Path $dir 'exec-approvals.json'))
        $text | Should -Match '"security": "allowlist"'
        $text | Should -Match '"ask": "on-miss"'
    }

    It 'changes an agent''s modes when a policy object is piped in (AgentId by property name)' {
        $dir = New-StateDirectory
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            $s = $env:OPENCLAW_T_STATE
            Get-OpenClawExecApproval -StateDirectory $s -AgentId build | Edit-OpenClawExecApproval -StateDirectory $s -Security Deny -Confirm:$false
            $build = Get-OpenClawExecApproval -StateDirectory $s -AgentId build
            $defaults = Get-OpenClawExecApproval -StateDirectory $s
            [pscustomobject]@{ Build = "$($build.Security)"; Source = $build.SecuritySource; Defaults = "$($defaults.Security)" }'
        $r.Build | Should -Be 'Deny'
        $r.Source | Should -Be 'agents.build.security'
        $r.Defaults | Should -Be 'Full'
    }

    It '-WhatIf writes nothing' {
        $dir = New-StateDirectory
        $file = Join-Path $dir 'exec-approvals.json'
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            Edit-OpenClawExecApproval -StateDirectory $env:OPENCLAW_T_STATE -Security Deny -AgentId main -AddPattern "/usr/bin/git" -WhatIf
            [pscustomobject]@{ Exists = (Get-OpenClawExecApproval -StateDirectory $env:OPENCLAW_T_STATE).Exists }'
        $r.Exists | Should -BeFalse
        (Test-Path -LiteralPath $file) | Should -BeFalse -Because '-WhatIf does not create the file'

        $null = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            Edit-OpenClawExecApproval -StateDirectory $env:OPENCLAW_T_STATE -Security Allowlist -Confirm:$false
            $true'
        $before = [System.IO.File]::ReadAllText($file)
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            $s = $env:OPENCLAW_T_STATE
            Edit-OpenClawExecApproval -StateDirectory $s -Security Full -Ask Always -WhatIf
            Edit-OpenClawExecApproval -StateDirectory $s -AgentId main -AddPattern "/usr/bin/git" -WhatIf
            [pscustomobject]@{ Security = "$((Get-OpenClawExecApproval -StateDirectory $s).Security)" }'
        $r.Security | Should -Be 'Allowlist'
        [System.IO.File]::ReadAllText($file) | Should -Be $before -Because '-WhatIf leaves an existing file unchanged'
    }

    It 'refuses a pattern that names a shell (<Pattern>) with InvalidExecApprovalChange and writes nothing' -TestCases @(
        @{ Pattern = '/bin/bash' }
        @{ Pattern = 'pwsh' }
        @{ Pattern = 'C:\Windows\System32\cmd.exe' }
    ) {
        $dir = New-StateDirectory
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir; OPENCLAW_T_PATTERN = $Pattern } -Script '
            try {
                Edit-OpenClawExecApproval -StateDirectory $env:OPENCLAW_T_STATE -AgentId main -AddPattern $env:OPENCLAW_T_PATTERN -Confirm:$false
                [pscustomobject]@{ Id = "no error" }
            }
            catch {
                [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message }
            }'
        $r.Id | Should -Be "InvalidExecApprovalChange,$script:EditClass"
        $r.Category | Should -Be 'InvalidArgument'
        $r.Message | Should -Match 'shell or command host'
        (Test-Path -LiteralPath (Join-Path $dir 'exec-approvals.json')) | Should -BeFalse
    }

    It 'refuses allowlist changes without -AgentId with InvalidExecApprovalChange' {
        $dir = New-StateDirectory
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            try {
                Edit-OpenClawExecApproval -StateDirectory $env:OPENCLAW_T_STATE -AddPattern "/usr/bin/git" -Confirm:$false
                [pscustomobject]@{ Id = "no error" }
            }
            catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }'
        $r.Id | Should -Be "InvalidExecApprovalChange,$script:EditClass"
        $r.Message | Should -Match 'agent id'
    }

    It 'reports a malformed file with ExecApprovalsInvalid from both cmdlets and leaves it unchanged' {
        $dir = New-StateDirectory
        $file = Join-Path $dir 'exec-approvals.json'
        $broken = '{ "version": 1, "defaults": { "security": "allowlst" } }'
        [System.IO.File]::WriteAllText($file, $broken)
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            $s = $env:OPENCLAW_T_STATE
            $get = try {
                $p = Get-OpenClawExecApproval -StateDirectory $s
                [pscustomobject]@{ Id = "no error"; Output = @($p).Count }
            }
            catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Target = "$($_.TargetObject)"; Message = $_.Exception.Message } }
            $edit = try {
                Edit-OpenClawExecApproval -StateDirectory $s -Security Deny -Confirm:$false
                [pscustomobject]@{ Id = "no error" }
            }
            catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId } }
            $nonTerminating = @(Get-OpenClawExecApproval -StateDirectory $s -ErrorAction SilentlyContinue -ErrorVariable errs)
            [pscustomobject]@{ Get = $get; Edit = $edit; Output = $nonTerminating.Count; Errors = @($errs).Count }'
        $r.Get.Id | Should -Be "ExecApprovalsInvalid,$script:GetClass"
        $r.Get.Category | Should -Be 'InvalidData'
        $r.Get.Target | Should -Be $file
        $r.Get.Message | Should -Match 'allowlst'
        $r.Edit.Id | Should -Be "ExecApprovalsInvalid,$script:EditClass"
        $r.Output | Should -Be 0 -Because 'a broken file yields no policy object'
        $r.Errors | Should -Be 1 -Because 'the error is non-terminating'
        [System.IO.File]::ReadAllText($file) | Should -Be $broken -Because 'an edit never overwrites a broken file'
    }

    It 'Get-Help about_OpenClaw_ExecApprovals finds the about topic' {
        $r = Invoke-ModuleChild -Script '
            [pscustomobject]@{ Text = (Get-Help -Name about_OpenClaw_ExecApprovals | Out-String) }'
        $r.Text | Should -Match 'about_OpenClaw_ExecApprovals'
        $r.Text | Should -Match 'REMOTE EDITS'
    }
}

Describe 'Operator cmdlets without a gateway' {
    BeforeAll {
        $script:Operators = @(
            'Connect-OpenClawGateway', 'Disconnect-OpenClawGateway', 'Get-OpenClawNodeRequest', 'Approve-OpenClawNodeRequest',
            'Deny-OpenClawNodeRequest', 'Get-OpenClawNode', 'Remove-OpenClawNode', 'Rename-OpenClawNode', 'Invoke-OpenClawNodeCommand'
        )
        # No token from the test machine's environment reaches the children, and plaintext stays limited to private hosts.
        $script:NoGatewayEnvironment = @{ OPENCLAW_GATEWAY_TOKEN = ''; OPENCLAW_ALLOW_INSECURE_PRIVATE_WS = '' }

        # Runs $Command in a child and returns its first error: Terminating is true when the error ended the statement
        # (ThrowTerminatingError), false when it was written as a non-terminating error. Id is 'no error' otherwise.
        function Invoke-OperatorFailure {
            param([Parameter(Mandatory)] [string] $Command, [hashtable] $Environment = @{}, [int] $TimeoutSeconds = 60)
            $childEnvironment = $script:NoGatewayEnvironment.Clone()
            foreach ($key in $Environment.Keys) { $childEnvironment[$key] = $Environment[$key] }
            Invoke-ModuleChild -TimeoutSeconds $TimeoutSeconds -Environment $childEnvironment -Script "
                `$ErrorActionPreference = 'Continue'
                `$errs = `$null
                try {
                    `$output = @($Command -ErrorAction SilentlyContinue -ErrorVariable errs)
                    if (`$errs) { `$e = `$errs[0]; `$terminating = `$false }
                    else { return [pscustomobject]@{ Id = 'no error'; Output = `$output.Count } }
                }
                catch { `$e = `$_; `$terminating = `$true }
                [pscustomobject]@{
                    Id          = `$e.FullyQualifiedErrorId
                    Category    = `"`$(`$e.CategoryInfo.Category)`"
                    Target      = `"`$(`$e.TargetObject)`"
                    Message     = `$e.Exception.Message
                    Terminating = `$terminating
                }"
        }
    }

    It 'exports the nine operator cmdlets' {
        foreach ($name in $script:Operators) { $script:ManifestData.CmdletsToExport | Should -Contain $name }
    }

    It 'applies the default views to the connection, request and node types' {
        $r = Invoke-ModuleChild -Script '
            [pscustomobject]@{
                Connection = @(Get-FormatData -TypeName OpenClaw.PowerShell.OpenClawGatewayConnection).Count
                Request    = @(Get-FormatData -TypeName OpenClaw.PowerShell.OpenClawNodeRequest).Count
                Node       = @(Get-FormatData -TypeName OpenClaw.PowerShell.OpenClawNode).Count
            }'
        $r.Connection | Should -BeGreaterThan 0
        $r.Request | Should -BeGreaterThan 0
        $r.Node | Should -BeGreaterThan 0
    }

    It 'takes the token only as a SecureString on every operator cmdlet that connects' {
        $r = Invoke-ModuleChild -Script '
            $names = "Connect-OpenClawGateway", "Get-OpenClawNodeRequest", "Approve-OpenClawNodeRequest", "Deny-OpenClawNodeRequest",
                "Get-OpenClawNode", "Remove-OpenClawNode", "Rename-OpenClawNode", "Invoke-OpenClawNodeCommand"
            [pscustomobject]@{
                Types = (@($names | ForEach-Object { (Get-Command $_).Parameters["Token"].ParameterType.FullName } | Sort-Object -Unique) -join ",")
                Gateway = @($names | Where-Object { -not (Get-Command $_).Parameters.ContainsKey("Gateway") }).Count
            }'
        $r.Types | Should -Be 'System.Security.SecureString'
        $r.Gateway | Should -Be 0 -Because 'every operator cmdlet that connects takes -Gateway'
    }

    It '<Command> stops with NotConnected when there is no session and no -Gateway' -TestCases @(
        @{ Command = 'Get-OpenClawNode'; Class = 'GetOpenClawNodeCommand' }
        @{ Command = 'Get-OpenClawNodeRequest'; Class = 'GetOpenClawNodeRequestCommand' }
        @{ Command = 'Approve-OpenClawNodeRequest -Id 00000000-0000-4000-8000-000000000000 -Confirm:$false'; Class = 'ApproveOpenClawNodeRequestCommand' }
        @{ Command = 'Deny-OpenClawNodeRequest -Id 00000000-0000-4000-8000-000000000000 -Confirm:$false'; Class = 'DenyOpenClawNodeRequestCommand' }
        @{ Command = 'Remove-OpenClawNode -Id build-07 -Confirm:$false'; Class = 'RemoveOpenClawNodeCommand' }
        @{ Command = 'Rename-OpenClawNode -Id build-07 -NewName build-08 -Confirm:$false'; Class = 'RenameOpenClawNodeCommand' }
        @{ Command = 'Invoke-OpenClawNodeCommand -Node build-07 -Command system.which -Parameters @{ bins = @("git") }'; Class = 'InvokeOpenClawNodeCommandCommand' }
    ) {
        $r = Invoke-OperatorFailure -Command $Command
        $r.Id | Should -Be "NotConnected,OpenClaw.PowerShell.Commands.$Class"
        $r.Category | Should -Be 'ConnectionError'
        $r.Message | Should -Match 'Connect-OpenClawGateway'
        $r.Terminating | Should -BeTrue -Because 'no input can succeed without a connection'
    }

    It 'stops with NotConnected even when the command is only asked -WhatIf' {
        $r = Invoke-OperatorFailure -Command 'Remove-OpenClawNode -Id build-07 -WhatIf'
        $r.Id | Should -Be 'NotConnected,OpenClaw.PowerShell.Commands.RemoveOpenClawNodeCommand'
    }

    It 'Disconnect-OpenClawGateway without a session does nothing and writes nothing' {
        $r = Invoke-OperatorFailure -Command 'Disconnect-OpenClawGateway'
        $r.Id | Should -Be 'no error'
        $r.Output | Should -Be 0
    }

    It 'refuses -Gateway ''<Gateway>'' with InvalidGatewayAddress before connecting (<Command>)' -TestCases @(
        @{ Command = 'Get-OpenClawNode'; Class = 'GetOpenClawNodeCommand'; Gateway = 'http://x' }
        @{ Command = 'Get-OpenClawNodeRequest'; Class = 'GetOpenClawNodeRequestCommand'; Gateway = 'http://x' }
        @{ Command = 'Connect-OpenClawGateway'; Class = 'ConnectOpenClawGatewayCommand'; Gateway = 'http://x' }
        @{ Command = 'Connect-OpenClawGateway'; Class = 'ConnectOpenClawGatewayCommand'; Gateway = 'ftp://gw01' }
    ) {
        $r = Invoke-OperatorFailure -Command "$Command -Gateway '$Gateway'"
        $r.Id | Should -Be "InvalidGatewayAddress,OpenClaw.PowerShell.Commands.$Class"
        $r.Category | Should -Be 'InvalidArgument'
        $r.Target | Should -Be $Gateway
        $r.Terminating | Should -BeTrue
    }

    It 'refuses a malformed -TlsFingerprint with InvalidTlsFingerprint' {
        $r = Invoke-OperatorFailure -Command "Get-OpenClawNode -Gateway 127.0.0.1 -TlsFingerprint 'not-a-fingerprint'"
        $r.Id | Should -Be 'InvalidTlsFingerprint,OpenClaw.PowerShell.Commands.GetOpenClawNodeCommand'
        $r.Message | Should -Match 'The TLS fingerprint must be the SHA-256'
    }

    It 'refuses plaintext to a public host with InsecurePlaintextGateway before connecting' {
        $r = Invoke-OperatorFailure -Command "Connect-OpenClawGateway -Gateway 'gateway.example.com'"
        $r.Id | Should -Be 'InsecurePlaintextGateway,OpenClaw.PowerShell.Commands.ConnectOpenClawGatewayCommand'
        $r.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses a pin together with ws:// with TlsFingerprintWithoutTls' {
        $pin = 'ab' * 32
        $r = Invoke-OperatorFailure -Command "Get-OpenClawNode -Gateway 'ws://127.0.0.1:18789' -TlsFingerprint '$pin'"
        $r.Id | Should -Be 'TlsFingerprintWithoutTls,OpenClaw.PowerShell.Commands.GetOpenClawNodeCommand'
        $r.Category | Should -Be 'InvalidArgument'
    }

    It 'reports GatewayUnreachable for a closed port, and keeps no session after a failed connect' {
        $port = Get-ClosedPort
        $r = Invoke-ModuleChild -TimeoutSeconds 90 -Environment ($script:NoGatewayEnvironment + @{ OPENCLAW_T_PORT = $port }) -Script '
            $connect = try { Connect-OpenClawGateway -Gateway "127.0.0.1:$env:OPENCLAW_T_PORT"; "no error" } catch { $_.FullyQualifiedErrorId + "|" + $_.CategoryInfo.Category }
            $own = try { Get-OpenClawNode -Gateway "127.0.0.1:$env:OPENCLAW_T_PORT"; "no error" } catch { $_.FullyQualifiedErrorId }
            $after = try { Get-OpenClawNode; "no error" } catch { $_.FullyQualifiedErrorId }
            [pscustomobject]@{ Connect = $connect; Own = $own; After = $after }'
        $r.Connect | Should -Be 'GatewayUnreachable,OpenClaw.PowerShell.Commands.ConnectOpenClawGatewayCommand|ConnectionError'
        $r.Own | Should -Be 'GatewayUnreachable,OpenClaw.PowerShell.Commands.GetOpenClawNodeCommand'
        $r.After | Should -Be 'NotConnected,OpenClaw.PowerShell.Commands.GetOpenClawNodeCommand' -Because 'a failed connect leaves no session behind'
    }

    It 'declares ShouldProcess with the right impact on the state-changing cmdlets' {
        $r = Invoke-ModuleChild -Script '
            $impact = @{}
            foreach ($name in "Approve-OpenClawNodeRequest", "Deny-OpenClawNodeRequest", "Remove-OpenClawNode", "Rename-OpenClawNode", "Invoke-OpenClawNodeCommand", "Get-OpenClawNode") {
                $type = (Get-Command $name).ImplementingType
                $attr = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
                $impact[$name] = if ($attr.SupportsShouldProcess) { "$($attr.ConfirmImpact)" } else { "none" }
            }
            [pscustomobject]$impact'
        $r.'Approve-OpenClawNodeRequest' | Should -Be 'High'
        $r.'Deny-OpenClawNodeRequest' | Should -Be 'High'
        $r.'Remove-OpenClawNode' | Should -Be 'High'
        $r.'Rename-OpenClawNode' | Should -Be 'Medium'
        $r.'Invoke-OpenClawNodeCommand' | Should -Be 'Medium'
        $r.'Get-OpenClawNode' | Should -Be 'none'
    }

    It 'Get-Help <Name> has the synopsis of the docs and at least two examples' -TestCases @(
        @{ Name = 'Connect-OpenClawGateway' }
        @{ Name = 'Disconnect-OpenClawGateway' }
        @{ Name = 'Get-OpenClawNodeRequest' }
        @{ Name = 'Approve-OpenClawNodeRequest' }
        @{ Name = 'Deny-OpenClawNodeRequest' }
        @{ Name = 'Get-OpenClawNode' }
        @{ Name = 'Remove-OpenClawNode' }
        @{ Name = 'Rename-OpenClawNode' }
        @{ Name = 'Invoke-OpenClawNodeCommand' }
    ) {
        $text = [System.IO.File]::ReadAllText((Join-Path $script:RepoRoot "docs/$Name.md")) -replace "`r`n", "`n"
        if ($text -match '(?s)\n## SYNOPSIS\s*\n(.*?)\n## ') { $synopsis = $Matches[1].Trim() -replace '\s+', ' ' }
        else { throw "docs/$Name.md has no SYNOPSIS section." }
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_NAME = $Name } -Script '
            $h = Get-Help -Name $env:OPENCLAW_T_NAME -Full
            [pscustomobject]@{
                Synopsis = ("$($h.Synopsis)".Trim() -replace "\s+", " ")
                Examples = @($h.examples.example | Where-Object { $_ }).Count
            }'
        $r.Synopsis | Should -Be $synopsis -Because 'the MAML help is built from docs/ (./build.ps1 -Task Package with platyPS)'
        $r.Examples | Should -BeGreaterOrEqual 2
    }

    It 'Get-Help about_OpenClaw describes the operator cmdlets' {
        $r = Invoke-ModuleChild -Script '
            [pscustomobject]@{ Text = (Get-Help -Name about_OpenClaw | Out-String) }'
        $r.Text | Should -Match 'OPERATOR'
        $r.Text | Should -Match 'IncludeCommandSurface'
    }
}

Describe 'Get-OpenClawNodeStatus without a node host' {
    BeforeAll {
        $script:StatusRoot = New-TempDirectory
    }

    AfterAll {
        if ($script:StatusRoot -and (Test-Path -LiteralPath $script:StatusRoot)) { Remove-Item -LiteralPath $script:StatusRoot -Recurse -Force }
    }

    It 'says not running, not connected and not healthy for a state directory no host has used' {
        $dir = Join-Path $script:StatusRoot ([guid]::NewGuid().ToString('N'))
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            $s = Get-OpenClawNodeStatus -StateDirectory $env:OPENCLAW_T_STATE
            [pscustomobject]@{
                Count            = @($s).Count
                Type             = $s.GetType().FullName
                Connected        = $s.Connected
                Healthy          = $s.Healthy
                HostRunning      = $s.HostRunning
                HostState        = $s.HostState
                ServiceInstalled = $s.ServiceInstalled
                ExecSecurity     = "$($s.ExecSecurity)"
                StateDirectory   = $s.StateDirectory
                Summary          = $s.Summary
                Views            = @(Get-FormatData -TypeName OpenClaw.PowerShell.OpenClawNodeStatus).Count
            }'
        $r.Count | Should -Be 1
        $r.Type | Should -Be 'OpenClaw.PowerShell.OpenClawNodeStatus'
        $r.Connected | Should -BeFalse
        $r.Healthy | Should -BeFalse
        $r.HostRunning | Should -BeFalse
        $r.HostState | Should -Be 'NotRunning'
        $r.ServiceInstalled | Should -BeFalse
        $r.ExecSecurity | Should -Be 'Full'
        $r.StateDirectory | Should -Be $dir
        $r.Summary | Should -BeLike 'Not running:*'
        $r.Views | Should -BeGreaterThan 0
        (Test-Path -LiteralPath $dir) | Should -BeFalse -Because 'reading the status never creates the state directory'
    }

    It 'reports a corrupt status file as HostState Unknown instead of failing' {
        $dir = Join-Path $script:StatusRoot ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'node-status.json') -Value '{"version":1,"pid":' -NoNewline
        $r = Invoke-ModuleChild -Environment @{ OPENCLAW_T_STATE = $dir } -Script '
            $s = Get-OpenClawNodeStatus -StateDirectory $env:OPENCLAW_T_STATE
            [pscustomobject]@{ Connected = $s.Connected; HostState = $s.HostState; Reason = $s.HostReason }'
        $r.Connected | Should -BeFalse
        $r.HostState | Should -Be 'Unknown'
        $r.Reason | Should -Match 'node-status\.json'
    }
}
