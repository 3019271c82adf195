<#
.SYNOPSIS
    Builds, tests, documents, packages and publishes the OpenClaw module.

.DESCRIPTION
    Runs the requested tasks in this order, whatever order they are given in:

      Clean    Removes the output folder and runs dotnet clean.
      Build    dotnet build of OpenClaw.PowerShell.sln (warnings are errors).
      Docs     Builds the MAML help (OpenClaw.PowerShell.dll-Help.xml) from docs/*.md with platyPS 1.x
               (Microsoft.PowerShell.PlatyPS), or with scripts/maml.cs (dotnet alone, as scripts/package.sh
               does) where platyPS is not installed. With -UpdateMarkdown (platyPS only) it first refreshes
               docs/*.md from the packaged module (and creates pages for new cmdlets).
      Package  Publishes the cmdlets and the openclaw-node host and assembles <OutputPath>/OpenClaw/<version>/,
               the same layout as scripts/package.sh plus the MAML help; fails on a missing or unexpected file.
               With PSResourceGet present it also writes a .nupkg to <OutputPath>/nupkg/ through a temporary
               local repository.
      Test     dotnet test of the unit test projects (and the integration tests with -IncludeIntegration), then
               the Pester 5 suite tests/pester/ against the package, under every PowerShell found (pwsh and, on
               Windows, powershell.exe) that has Pester 5. Packages first when Pester will run.
      HostBuilds  Publishes the openclaw-node host alone into <OutputPath>/publish/<rid>-<flavour>/ (as
               scripts/publish.sh): NativeAOT for -Runtime or this machine (needs the platform linker: clang on
               Linux, Xcode on macOS, the C++ build tools on Windows), framework-dependent (-fd) and self-contained
               trimmed (-sc) single files for win-x64, osx-arm64, osx-x64 and linux-x64.
      Publish  Packages (Release) and publishes to -Repository with Publish-PSResource (PSResourceGet) or
               Publish-Module (PowerShellGet 2). Refuses without -Repository, with placeholder URIs in the
               manifest, without MAML help, or with unsigned files (unless -SkipSignatureCheck).

    Works in Windows PowerShell 5.1 and PowerShell 7. The version comes from <ModuleVersion> in
    Directory.Build.props; OpenClaw.psd1 at the top level is a template whose {{ModuleVersion}} is filled in.

.PARAMETER Task
    The tasks to run (default: Build, Test, Package).

.PARAMETER Configuration
    The build configuration (default: Release).

.PARAMETER Runtime
    Runtime identifier of the bundled openclaw-node host (default: this machine's, e.g. win-x64, linux-x64).

.PARAMETER OutputPath
    Output root (default: out/ next to this script). The module goes to <OutputPath>/OpenClaw/<version>/.

.PARAMETER Repository
    The registered repository to publish to (Get-PSResourceRepository / Get-PSRepository). Required by Publish.

.PARAMETER ApiKey
    The repository API key as a SecureString. Default: $env:OPENCLAW_PUBLISH_API_KEY.

.PARAMETER Credential
    Credentials for the repository, if it needs them.

.EXAMPLE
    ./build.ps1

    Builds, packages and runs every test.

.EXAMPLE
    ./build.ps1 -Task Publish -Repository PSGallery -ApiKey (Read-Host -AsSecureString 'API key')
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'Docs', 'Package', 'Test', 'Publish', 'HostBuilds')]
    [string[]] $Task = @('Build', 'Test', 'Package'),

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    [ValidatePattern('^[a-z0-9.-]+$')]
    [string] $Runtime,

    [string] $OutputPath,

    [string] $Repository,

    [securestring] $ApiKey,

    [pscredential] $Credential,

    # Publish without checking Authenticode signatures (for a private feed, or where Get-AuthenticodeSignature is missing).
    [switch] $SkipSignatureCheck,

    # Docs: refresh docs/*.md from the packaged module before building the MAML help.
    [switch] $UpdateMarkdown,

    # Test: also run tests/OpenClaw.Integration.Tests (real gateway, needs npm).
    [switch] $IncludeIntegration,

    # Test: skip the Pester suite.
    [switch] $SkipPester
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$Root = $PSScriptRoot
if (-not $OutputPath) { $OutputPath = Join-Path $Root 'out' }
# Relative to the current PowerShell location (the .NET current directory may differ from it).
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
$OnWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
$Utf8NoBom = New-Object System.Text.UTF8Encoding($false)

# Files of the module that are not assemblies: source (relative to the repository) -> destination (relative to the module folder).
$ModuleFiles = [ordered]@{
    'module/OpenClaw.Format.ps1xml'            = 'OpenClaw.Format.ps1xml'
    'module/en-US/about_OpenClaw.help.txt'     = 'en-US/about_OpenClaw.help.txt'
    'module/en-US/about_OpenClaw_ExecApprovals.help.txt' = 'en-US/about_OpenClaw_ExecApprovals.help.txt'
    'module/OpenClaw.Node.dsc.resource.json'   = 'OpenClaw.Node.dsc.resource.json'
    'module/Intune/Install-OpenClawNodeApp.ps1'   = 'Intune/Install-OpenClawNodeApp.ps1'
    'module/Intune/Uninstall-OpenClawNodeApp.ps1' = 'Intune/Uninstall-OpenClawNodeApp.ps1'
    'module/Intune/Detect-OpenClawNode.ps1'       = 'Intune/Detect-OpenClawNode.ps1'
    'module/Intune/Remediate-OpenClawNode.ps1'    = 'Intune/Remediate-OpenClawNode.ps1'
    'module/Intune/README.md'                     = 'Intune/README.md'
}
$MamlName = 'OpenClaw.PowerShell.dll-Help.xml'
$Done = @{}                           # tasks already run in this invocation
$State = @{ Assembled = $false }      # the package folder holds this invocation's build

# Run in a child PowerShell by Docs -UpdateMarkdown (the module must be imported for platyPS to read it).
$UpdateMarkdownScript = @'
$ErrorActionPreference = 'Stop'
Import-Module $env:OPENCLAW_DOCS_PLATYPS
$module = Import-Module $env:OPENCLAW_DOCS_MANIFEST -PassThru
$docs = $env:OPENCLAW_DOCS_FOLDER
$existing = @(Get-ChildItem -LiteralPath $docs -Filter '*.md' | ForEach-Object { $_.BaseName })
$new = @(Get-Command -Module $module.Name | Where-Object { $existing -notcontains $_.Name })
if ($new.Count -gt 0) {
    $tmp = Join-Path ([System.IO.Path]::GetTempPath()) ('openclaw-docs-' + [guid]::NewGuid().ToString('N'))
    New-MarkdownCommandHelp -CommandInfo $new -OutputFolder $tmp -Locale 'en-US' | Out-Null
    Get-ChildItem -LiteralPath $tmp -Recurse -Filter '*.md' | Where-Object { $_.BaseName -ne $module.Name } | ForEach-Object {
        Move-Item -LiteralPath $_.FullName -Destination (Join-Path $docs $_.Name)
        "created docs/$($_.Name): fill in the synopsis, description and examples"
    }
    Remove-Item -LiteralPath $tmp -Recurse -Force
}
Measure-PlatyPSMarkdown -Path (Join-Path $docs '*.md') | Where-Object Filetype -match 'CommandHelp' | ForEach-Object {
    Update-MarkdownCommandHelp -Path $_.FilePath -NoBackup
    "updated $($_.FilePath)"
}
'@

# ------------------------------------------------------------------ helpers

function Write-Step([string] $Message) {
    Write-Host "build.ps1: $Message" -ForegroundColor Cyan
}

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    Write-Verbose ("& {0} {1}" -f $FilePath, ($ArgumentList -join ' '))
    # The exit code decides; on Windows PowerShell 5.1 a line on stderr would otherwise become a terminating error.
    $ErrorActionPreference = 'Continue'
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw ("'{0} {1}' failed with exit code {2}." -f $FilePath, ($ArgumentList -join ' '), $LASTEXITCODE)
    }
}

function Get-ModuleVersion {
    $props = New-Object System.Xml.XmlDocument
    $props.Load((Join-Path $Root 'Directory.Build.props'))
    $node = $props.SelectSingleNode('/Project/PropertyGroup/ModuleVersion')
    if ($null -eq $node -or -not $node.InnerText.Trim()) { throw 'Directory.Build.props has no <ModuleVersion>.' }
    $version = $node.InnerText.Trim()
    if ($version -notmatch '^\d+\.\d+(\.\d+){0,2}$') {
        throw "ModuleVersion '$version' is not a plain version (n.n.n); prerelease labels are not supported by this script yet."
    }
    return $version
}

function Get-CurrentRuntime {
    $ErrorActionPreference = 'Continue'
    $info = & dotnet --info 2>$null
    foreach ($line in @($info)) {
        if ("$line" -match '^\s*RID:\s*((linux|linux-musl|osx|win)-(x64|x86|arm64|arm))\s*$') { return $Matches[1] }
    }
    if ($OnWindows) {
        $arch = $env:PROCESSOR_ARCHITEW6432
        if (-not $arch) { $arch = $env:PROCESSOR_ARCHITECTURE }
        switch ($arch) {
            'AMD64' { return 'win-x64' }
            'ARM64' { return 'win-arm64' }
            'x86' { return 'win-x86' }
        }
    }
    if ($PSVersionTable.PSVersion.Major -ge 7) {
        $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier   # .NET 5+
        if ($rid) { return $rid }
    }
    throw 'Cannot tell the runtime identifier of this machine; pass -Runtime.'
}

function Get-ModuleFolder { Join-Path (Join-Path $OutputPath 'OpenClaw') (Get-ModuleVersion) }

function Get-PowerShellHosts {
    # The PowerShell executables to run Pester under: this one, plus the other edition on Windows.
    # One per edition: 'pwsh' and 'powershell' by file name, so a symlinked pwsh is not run twice.
    $hosts = [ordered]@{}
    $self = (Get-Process -Id $PID).Path
    $selfName = [System.IO.Path]::GetFileNameWithoutExtension($self).ToLowerInvariant()
    if ($selfName -eq 'pwsh' -or $selfName -eq 'powershell') { $hosts[$selfName] = $self }   # not powershell_ise
    $others = @('pwsh')
    if ($OnWindows) { $others += 'powershell' }
    foreach ($name in $others) {
        $cmd = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($cmd -and -not $hosts.Contains($name)) { $hosts[$name] = $cmd.Source }
    }
    return @($hosts.Values)
}

function Get-DllNamesFromDeps([string] $DepsJson) {
    if (-not (Test-Path -LiteralPath $DepsJson)) { throw "$DepsJson not found." }
    $text = [System.IO.File]::ReadAllText($DepsJson)
    [regex]::Matches($text, '"([^"]*\.dll)"') | ForEach-Object { ($_.Groups[1].Value -split '/')[-1] } | Sort-Object -Unique
}

function Assert-Prerequisite {
    if (-not (Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue)) {
        throw 'dotnet is not on PATH. Install the .NET SDK named in global.json or the one the projects target (net10.0).'
    }
}

# ------------------------------------------------------------------ tasks

function Invoke-Clean {
    Write-Step "removing $OutputPath"
    if (Test-Path -LiteralPath $OutputPath) { Remove-Item -LiteralPath $OutputPath -Recurse -Force }
    Invoke-Native dotnet @('clean', (Join-Path $Root 'OpenClaw.PowerShell.sln'), '-c', $Configuration, '--nologo', '-v:minimal')
}

function Invoke-Build {
    Write-Step "dotnet build ($Configuration)"
    Invoke-Native dotnet @('build', (Join-Path $Root 'OpenClaw.PowerShell.sln'), '-c', $Configuration, '--nologo', '-v:minimal')
}

function Invoke-Docs {
    $platy = Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $platy) {
        # The same converter as the dotnet-only path (scripts/package.sh), so both produce the same layout.
        Write-Step ('Docs: platyPS 1.x (Microsoft.PowerShell.PlatyPS) is not installed; building {0} with scripts/maml.cs' -f $MamlName)
        $helpDir = Join-Path $OutputPath 'help'
        New-Item -ItemType Directory -Path $helpDir -Force | Out-Null
        Invoke-Native dotnet @('run', (Join-Path $Root 'scripts/maml.cs'), '--', (Join-Path $Root 'docs'), (Join-Path $helpDir $MamlName))
        $moduleHelp = Join-Path (Get-ModuleFolder) 'en-US'
        if (Test-Path -LiteralPath $moduleHelp) { Copy-Item -LiteralPath (Join-Path $helpDir $MamlName) -Destination $moduleHelp -Force }
        return
    }
    Import-Module -ModuleInfo $platy -ErrorAction Stop
    $docs = Join-Path $Root 'docs'

    if ($UpdateMarkdown) {
        $manifest = Join-Path (Get-ModuleFolder) 'OpenClaw.psd1'
        if (-not $State.Assembled) { Invoke-Package -SkipHelp }
        Write-Step 'refreshing docs/*.md from the packaged module (child process)'
        # A child process, so the module's assemblies are not locked in this session. Paths go through the environment.
        $script = Join-Path ([System.IO.Path]::GetTempPath()) ('openclaw-docs-' + [guid]::NewGuid().ToString('N') + '.ps1')
        [System.IO.File]::WriteAllText($script, $UpdateMarkdownScript, $Utf8NoBom)
        $env:OPENCLAW_DOCS_MANIFEST = $manifest
        $env:OPENCLAW_DOCS_FOLDER = $docs
        $env:OPENCLAW_DOCS_PLATYPS = $platy.Path
        try { & (Get-Process -Id $PID).Path -NoProfile -NonInteractive -ExecutionPolicy Bypass -File $script }
        finally { Remove-Item -LiteralPath $script -Force -ErrorAction SilentlyContinue }
        if ($LASTEXITCODE -ne 0) { throw 'Updating docs/*.md failed (see above).' }
    }

    Write-Step 'building MAML help from docs/*.md'
    $helpDir = Join-Path $OutputPath 'help'
    $mamlDir = Join-Path $helpDir 'maml'
    if (Test-Path -LiteralPath $helpDir) { Remove-Item -LiteralPath $helpDir -Recurse -Force }
    New-Item -ItemType Directory -Path $mamlDir -Force | Out-Null
    $pages = @(Measure-PlatyPSMarkdown -Path (Join-Path $docs '*.md') | Where-Object Filetype -match 'CommandHelp')
    if ($pages.Count -eq 0) { throw 'docs/ holds no command help pages.' }
    $pages | Import-MarkdownCommandHelp -Path { $_.FilePath } | Export-MamlCommandHelp -OutputFolder $mamlDir -Force | Out-Null
    # Export-MamlCommandHelp names the file after the module; Get-Help looks for <assembly>.dll-Help.xml next to the dll.
    $produced = @(Get-ChildItem -LiteralPath $mamlDir -Recurse -Filter '*-Help.xml')
    if ($produced.Count -ne 1) { throw "Expected one MAML file under $mamlDir, found $($produced.Count)." }
    Copy-Item -LiteralPath $produced[0].FullName -Destination (Join-Path $helpDir $MamlName) -Force
    Write-Step "MAML help: $(Join-Path $helpDir $MamlName)"

    $moduleHelp = Join-Path (Get-ModuleFolder) 'en-US'
    if (Test-Path -LiteralPath $moduleHelp) { Copy-Item -LiteralPath (Join-Path $helpDir $MamlName) -Destination $moduleHelp -Force }
}

function Invoke-Package {
    param([switch] $SkipHelp)
    $version = Get-ModuleVersion
    $rid = if ($Runtime) { $Runtime } else { Get-CurrentRuntime }
    $hostExe = if ($rid -like 'win-*') { 'openclaw-node.exe' } else { 'openclaw-node' }
    $dest = Get-ModuleFolder
    $stage = Join-Path ([System.IO.Path]::GetTempPath()) ('openclaw-package-' + [guid]::NewGuid().ToString('N'))
    Write-Step "packaging OpenClaw $version ($Configuration), host runtime $rid -> $dest"
    try {
        Invoke-Native dotnet @('publish', (Join-Path $Root 'src/OpenClaw.PowerShell/OpenClaw.PowerShell.csproj'),
            '-c', $Configuration, '-f', 'netstandard2.0', '-o', (Join-Path $stage 'module'), '--nologo', '-v:minimal')
        Invoke-Native dotnet @('publish', (Join-Path $Root 'src/OpenClaw.NodeHost/OpenClaw.NodeHost.csproj'),
            '-c', $Configuration, '-r', $rid, '--self-contained', 'false', '-o', (Join-Path $stage 'host'), '--nologo', '-v:minimal')

        if (Test-Path -LiteralPath $dest) { Remove-Item -LiteralPath $dest -Recurse -Force }
        $binDir = Join-Path (Join-Path $dest 'bin') $rid
        $depsDir = Join-Path $dest 'Dependencies'
        foreach ($dir in @($dest, (Join-Path $dest 'en-US'), (Join-Path $dest 'Intune'), $depsDir, $binDir)) { New-Item -ItemType Directory -Path $dir -Force | Out-Null }

        $manifestText = [System.IO.File]::ReadAllText((Join-Path $Root 'OpenClaw.psd1')).Replace('{{ModuleVersion}}', $version)
        if ($manifestText -match '\{\{') { throw 'OpenClaw.psd1 still holds a {{placeholder}} after filling in the version.' }
        [System.IO.File]::WriteAllText((Join-Path $dest 'OpenClaw.psd1'), $manifestText, $Utf8NoBom)

        # The cmdlets at the root; the engine and its dependencies in Dependencies/, which the module initializer loads
        # in isolation (src/OpenClaw.PowerShell/Loading); never System.Management.Automation.dll (PowerShell provides it).
        Get-ChildItem -LiteralPath (Join-Path $stage 'module') -Filter '*.dll' |
            Where-Object { $_.Name -ne 'System.Management.Automation.dll' } |
            ForEach-Object {
                $target = if ($_.Name -eq 'OpenClaw.PowerShell.dll') { $dest } else { $depsDir }
                Copy-Item -LiteralPath $_.FullName -Destination $target
            }
        foreach ($source in $ModuleFiles.Keys) {
            Copy-Item -LiteralPath (Join-Path $Root $source) -Destination (Join-Path $dest $ModuleFiles[$source])
        }

        # The host: its whole publish output except symbols and XML docs, keeping subfolders.
        $hostStage = Join-Path $stage 'host'
        Get-ChildItem -LiteralPath $hostStage -Recurse -File | Where-Object { $_.Extension -notin '.pdb', '.xml' } | ForEach-Object {
            $relative = $_.FullName.Substring($hostStage.Length).TrimStart('\', '/')
            $target = Join-Path $binDir $relative
            New-Item -ItemType Directory -Path (Split-Path -Parent $target) -Force | Out-Null
            Copy-Item -LiteralPath $_.FullName -Destination $target
        }
        if (-not $OnWindows -and $rid -notlike 'win-*') { Invoke-Native chmod @('+x', (Join-Path $binDir $hostExe)) }
        # The DSC v3 resource manifest also next to the host, where DSC finds it on PATH.
        Copy-Item -LiteralPath (Join-Path $Root 'module/OpenClaw.Node.dsc.resource.json') -Destination $binDir

        $State.Assembled = $true

        # MAML help from the Docs task (built now unless the caller is Docs itself).
        if (-not $SkipHelp -and -not $Done.ContainsKey('Docs')) { Invoke-Task Docs }
        $maml = Join-Path (Join-Path $OutputPath 'help') $MamlName
        if (Test-Path -LiteralPath $maml) { Copy-Item -LiteralPath $maml -Destination (Join-Path $dest 'en-US') }

        # Every expected file must be there.
        $expected = New-Object System.Collections.Generic.List[string]
        foreach ($f in @('OpenClaw.psd1', 'OpenClaw.PowerShell.dll', 'Dependencies/OpenClaw.Node.dll') + @($ModuleFiles.Values) +
            @("bin/$rid/$hostExe", "bin/$rid/openclaw-node.dll", "bin/$rid/openclaw-node.runtimeconfig.json", "bin/$rid/openclaw-node.deps.json") +
            @("bin/$rid/OpenClaw.Node.dsc.resource.json")) {
            $expected.Add($f)
        }
        foreach ($dll in Get-DllNamesFromDeps (Join-Path $stage 'module/OpenClaw.PowerShell.deps.json')) {
            if ($dll -in 'System.Management.Automation.dll', 'OpenClaw.PowerShell.dll') { continue }
            if (-not $expected.Contains("Dependencies/$dll")) { $expected.Add("Dependencies/$dll") }
        }
        foreach ($dll in Get-DllNamesFromDeps (Join-Path $stage 'host/openclaw-node.deps.json')) {
            if (-not $expected.Contains("bin/$rid/$dll")) { $expected.Add("bin/$rid/$dll") }
        }
        $missing = @($expected | Where-Object { -not (Test-Path -LiteralPath (Join-Path $dest $_) -PathType Leaf) })
        if (Test-Path -LiteralPath (Join-Path $dest 'System.Management.Automation.dll')) { throw 'System.Management.Automation.dll must not ship.' }
        if ($missing.Count -gt 0) { throw ("The package in $dest is incomplete; missing:`n  " + ($missing -join "`n  ")) }
        # Nothing else either (the MAML help is the one optional file), as scripts/package.sh checks.
        $extra = @(Get-ChildItem -LiteralPath $dest -Recurse -File | ForEach-Object {
                $_.FullName.Substring($dest.Length).TrimStart('\', '/').Replace('\', '/') } |
            Where-Object { $_ -ne "en-US/$MamlName" -and -not $expected.Contains($_) })
        if ($extra.Count -gt 0) { throw ("The package in $dest holds unexpected files:`n  " + ($extra -join "`n  ")) }
    }
    finally {
        if (Test-Path -LiteralPath $stage) { Remove-Item -LiteralPath $stage -Recurse -Force -ErrorAction SilentlyContinue }
    }

    Write-Host ''
    Write-Host $dest
    Get-ChildItem -LiteralPath $dest -Recurse -File | ForEach-Object {
        [pscustomobject]@{ Path = $_.FullName.Substring($dest.Length).TrimStart('\', '/').Replace('\', '/'); Length = $_.Length }
    } | Sort-Object Path | ForEach-Object { Write-Host ('  {0,10}  {1}' -f $_.Length, $_.Path) }
    Write-Host ''
    Write-Step "ok: $($expected.Count) expected files present."
    if (-not (Test-Path -LiteralPath (Join-Path $dest "en-US/$MamlName"))) {
        Write-Warning "The package has no MAML help (en-US/$MamlName): install Microsoft.PowerShell.PlatyPS and run the Package task again."
    }

    New-NuPkg -ModuleFolder $dest
}

# Publish-PSResource and Publish-Module want a folder named after the module; the package folder is named after the version.
function New-PublishFolder([string] $ModuleFolder) {
    $folder = Join-Path (Join-Path ([System.IO.Path]::GetTempPath()) ('openclaw-publish-' + [guid]::NewGuid().ToString('N'))) 'OpenClaw'
    New-Item -ItemType Directory -Path $folder -Force | Out-Null
    Copy-Item -Path (Join-Path $ModuleFolder '*') -Destination $folder -Recurse
    return $folder
}

function New-NuPkg([string] $ModuleFolder) {
    if (-not (Get-Command Publish-PSResource -ErrorAction SilentlyContinue)) {
        Write-Step 'nupkg skipped: PSResourceGet (Publish-PSResource) is not installed.'
        return
    }
    $feed = Join-Path $OutputPath 'nupkg'
    New-Item -ItemType Directory -Path $feed -Force | Out-Null
    $name = 'OpenClawBuild' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $folder = New-PublishFolder $ModuleFolder
    Register-PSResourceRepository -Name $name -Uri $feed -Trusted
    try {
        Get-ChildItem -LiteralPath $feed -Filter ("OpenClaw.{0}.nupkg" -f (Get-ModuleVersion)) | Remove-Item -Force
        Publish-PSResource -Path $folder -Repository $name
        Write-Step "nupkg: $feed"
    }
    finally {
        Unregister-PSResourceRepository -Name $name
        Remove-Item -LiteralPath (Split-Path -Parent $folder) -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Invoke-Test {
    $projects = @('tests/OpenClaw.Node.Tests', 'tests/OpenClaw.PowerShell.Tests')
    if ($IncludeIntegration) { $projects += 'tests/OpenClaw.Integration.Tests' }
    foreach ($project in $projects) {
        Write-Step "dotnet test $project ($Configuration)"
        Invoke-Native dotnet @('test', (Join-Path $Root $project), '-c', $Configuration, '--nologo', '-v:minimal')
    }

    if ($SkipPester) { Write-Step 'Pester tests skipped (-SkipPester).'; return }
    $hasPester = 'if (Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]''5.0.0'' }) { exit 0 } else { exit 1 }'
    $hosts = @(Get-PowerShellHosts | Where-Object {
            & $_ -NoProfile -NonInteractive -Command $hasPester | Out-Null
            $LASTEXITCODE -eq 0
        })
    if ($hosts.Count -eq 0) { Write-Step 'Pester tests skipped: the Pester module (5.0 or later) is not installed.'; return }
    if (-not $Done.ContainsKey('Package')) { Invoke-Task Package }

    # The suite imports this manifest in its own child processes.
    $env:OPENCLAW_MODULE_MANIFEST = Join-Path (Get-ModuleFolder) 'OpenClaw.psd1'
    $env:OPENCLAW_PESTER_PATH = Join-Path $Root 'tests/pester'
    $runPester = 'Import-Module Pester -MinimumVersion 5.0.0; $c = New-PesterConfiguration; $c.Run.Path = $env:OPENCLAW_PESTER_PATH; ' +
        '$c.Run.Exit = $true; $c.Output.Verbosity = ''Detailed''; Invoke-Pester -Configuration $c'
    $failed = @()
    foreach ($shell in $hosts) {
        Write-Step "Pester under $shell"
        & $shell -NoProfile -NonInteractive -Command $runPester
        if ($LASTEXITCODE -ne 0) { $failed += $shell }
    }
    if ($failed.Count -gt 0) { throw ("Pester tests failed under: " + ($failed -join ', ')) }
}

function Invoke-Publish {
    if (-not $Repository) {
        throw 'Publish needs -Repository <name> (a repository registered with Register-PSResourceRepository or Register-PSRepository); it never picks one by default.'
    }
    if ($Configuration -ne 'Release') { throw 'Publish only ships Release builds; drop -Configuration or pass Release.' }
    if (-not $Done.ContainsKey('Package')) { Invoke-Task Package }
    $dest = Get-ModuleFolder
    $manifestText = [System.IO.File]::ReadAllText((Join-Path $dest 'OpenClaw.psd1'))
    if ($manifestText -match 'example\.invalid|PLACEHOLDER') {
        throw 'OpenClaw.psd1 still has placeholder ProjectUri/LicenseUri (example.invalid). Set the real URIs first.'
    }
    if (-not (Test-Path -LiteralPath (Join-Path $dest "en-US/$MamlName"))) {
        throw "The package has no MAML help (en-US/$MamlName). Install Microsoft.PowerShell.PlatyPS and package again."
    }
    Test-ModuleManifest -Path (Join-Path $dest 'OpenClaw.psd1') | Out-Null

    if (-not $SkipSignatureCheck) {
        if (-not (Get-Command Get-AuthenticodeSignature -ErrorAction SilentlyContinue)) {
            throw 'Get-AuthenticodeSignature is not available here (it is Windows-only), so the signatures cannot be checked. Publish from Windows, or pass -SkipSignatureCheck.'
        }
        $ours = Get-ChildItem -LiteralPath $dest -Recurse -File | Where-Object {
            $_.Name -like 'OpenClaw*' -or $_.Name -like 'openclaw-node*' } | Where-Object { $_.Extension -in '.dll', '.exe', '.psd1', '.ps1xml' }
        $unsigned = @($ours | Where-Object { (Get-AuthenticodeSignature -FilePath $_.FullName).Status -ne 'Valid' })
        if ($unsigned.Count -gt 0) {
            throw ("These files are not validly signed:`n  " + (($unsigned | ForEach-Object FullName) -join "`n  ") + "`nSign them (Set-AuthenticodeSignature) or pass -SkipSignatureCheck.")
        }
    }

    if (-not $ApiKey -and $env:OPENCLAW_PUBLISH_API_KEY) { $ApiKey = ConvertTo-SecureString $env:OPENCLAW_PUBLISH_API_KEY -AsPlainText -Force }
    $key = if ($ApiKey) { (New-Object System.Net.NetworkCredential('', $ApiKey)).Password } else { $null }

    Write-Step "publishing $dest to $Repository"
    $folder = New-PublishFolder $dest
    try {
        if (Get-Command Publish-PSResource -ErrorAction SilentlyContinue) {
            $publish = @{ Path = $folder; Repository = $Repository }
            if ($key) { $publish.ApiKey = $key }
            if ($Credential) { $publish.Credential = $Credential }
            Publish-PSResource @publish
        }
        elseif (Get-Command Publish-Module -ErrorAction SilentlyContinue) {
            $publish = @{ Path = $folder; Repository = $Repository }
            if ($key) { $publish.NuGetApiKey = $key }
            if ($Credential) { $publish.Credential = $Credential }
            Publish-Module @publish
        }
        else {
            throw 'Neither Publish-PSResource (Microsoft.PowerShell.PSResourceGet) nor Publish-Module (PowerShellGet) is available.'
        }
    }
    finally {
        Remove-Item -LiteralPath (Split-Path -Parent $folder) -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Invoke-HostBuilds {
    $proj = Join-Path $Root 'src/OpenClaw.NodeHost/OpenClaw.NodeHost.csproj'
    $rid = if ($Runtime) { $Runtime } else { Get-CurrentRuntime }
    $builds = @(@{ Name = "$rid-aot"; Args = @('-r', $rid, '-p:OpenClawAot=true') })
    foreach ($r in @('win-x64', 'osx-arm64', 'osx-x64', 'linux-x64')) {
        $builds += @{ Name = "$r-fd"; Args = @('-r', $r, '--self-contained', 'false', '-p:PublishSingleFile=true') }
        $builds += @{ Name = "$r-sc"; Args = @('-r', $r, '--self-contained', 'true', '-p:PublishSingleFile=true', '-p:OpenClawTrimmed=true') }
    }
    foreach ($b in $builds) {
        $out = Join-Path (Join-Path $OutputPath 'publish') $b.Name
        Write-Step "publishing openclaw-node $($b.Name) -> $out"
        Invoke-Native dotnet (@('publish', $proj, '-c', $Configuration, '-o', $out, '--nologo', '-v:minimal') + $b.Args)
    }
}

function Invoke-Task([string] $Name) {
    if ($Done.ContainsKey($Name)) { return }
    $Done[$Name] = $true
    switch ($Name) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Docs' { Invoke-Docs }
        'Package' { Invoke-Package }
        'Test' { Invoke-Test }
        'Publish' { Invoke-Publish }
        'HostBuilds' { Invoke-HostBuilds }
    }
}

# ------------------------------------------------------------------ main

Assert-Prerequisite
foreach ($name in @('Clean', 'Build', 'Docs', 'Package', 'Test', 'Publish', 'HostBuilds')) {
    if ($Task -contains $name) { Invoke-Task $name }
}
Write-Step 'done.'
