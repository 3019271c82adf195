#!/usr/bin/env bash
# Builds the shipped module layout with dotnet alone, for machines without PowerShell (build.ps1 -Task Package does
# the same, with platyPS for the MAML help where it is installed):
#
#   out/OpenClaw/<version>/
#     OpenClaw.psd1                  the top-level template with ModuleVersion from Directory.Build.props
#     OpenClaw.PowerShell.dll        the cmdlets (root module); names no assembly but netstandard,
#                                    System.Management.Automation, System.Runtime.Loader and OpenClaw.Node
#     OpenClaw.Format.ps1xml
#     en-US/about_OpenClaw.help.txt, en-US/about_OpenClaw_ExecApprovals.help.txt
#     en-US/OpenClaw.PowerShell.dll-Help.xml   MAML help from docs/*.md (scripts/maml.cs)
#     Dependencies/                  OpenClaw.Node.dll and every assembly the publish output holds besides the root
#                                    module (BouncyCastle, Polly, System.Text.Json and friends)
#     bin/<rid>/openclaw-node[.exe]  the host executable (framework-dependent, .NET 10) and its files
#     OpenClaw.Node.dsc.resource.json   the DSC v3 resource manifest (also in bin/<rid>/, for PATH discovery)
#     Intune/                        Win32 app install/uninstall, detection and remediation scripts, README.md
#     bin/<rid>/browser/             openclaw-browser, the browser.proxy helper (Playwright for .NET, ~1.3 MB, JIT) that
#                                    openclaw-node starts on first use. Playwright's driver (.playwright/: a Node runtime
#                                    and its JS package, ~136 MB per runtime) is NOT shipped unless --with-browser-driver
#                                    is given: without it the node does not advertise browser.proxy and
#                                    `openclaw-node status` names the missing driver (docs/design/browser-proxy-routes.md).
#
# Dependencies/ is loaded by OpenClaw.PowerShell.dll's module initializer (src/OpenClaw.PowerShell/Loading): a private
# AssemblyLoadContext on PowerShell 7, an AssemblyResolve handler for our names on Windows PowerShell 5.1
# (STYLE.md section 12). The check at the end fails on a missing file and on an unexpected one.
#
# Usage: scripts/package.sh [--rid <rid>] [--configuration <Release|Debug>] [--out <dir>]
# Fails (non-zero) when a build fails or an expected file is missing; prints the layout.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

die() { printf 'package.sh: error: %s\n' "$*" >&2; exit 1; }
info() { printf 'package.sh: %s\n' "$*"; }

usage() {
  cat <<'EOF'
Usage: scripts/package.sh [--rid <rid>] [--configuration <config>] [--out <dir>] [--with-browser-driver]

  --rid <rid>               runtime of the bundled openclaw-node host (default: this machine's, e.g. linux-x64,
                            osx-arm64, win-x64)
  -c, --configuration <c>   build configuration (default: Release)
  --out <dir>               output root (default: <repo>/out); the module goes to <dir>/OpenClaw/<version>/
  --with-browser-driver     also ship Playwright's driver (~136 MB) in bin/<rid>/browser/.playwright, so browser.proxy
                            works with no further install on machines with Chrome, Edge or Chromium
EOF
}

RID=""
CONFIGURATION="Release"
OUT_ROOT="$ROOT/out"
WITH_DRIVER=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rid) [[ $# -ge 2 ]] || die "--rid needs a value"; RID="$2"; shift 2 ;;
    --rid=*) RID="${1#--rid=}"; shift ;;
    -c | --configuration) [[ $# -ge 2 ]] || die "$1 needs a value"; CONFIGURATION="$2"; shift 2 ;;
    --configuration=*) CONFIGURATION="${1#--configuration=}"; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a value"; OUT_ROOT="$2"; shift 2 ;;
    --out=*) OUT_ROOT="${1#--out=}"; shift ;;
    --with-browser-driver) WITH_DRIVER=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH"

# ---------------------------------------------------------------- version and runtime

VERSION="$(sed -n 's:.*<ModuleVersion>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</ModuleVersion>.*:\1:p' "$ROOT/Directory.Build.props" | head -n 1)"
[[ -n "$VERSION" ]] || die "no <ModuleVersion> in $ROOT/Directory.Build.props"
# A module manifest's ModuleVersion is a System.Version; a prerelease label would go to PSData.Prerelease.
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+(\.[0-9]+){0,2}$ ]] ||
  die "ModuleVersion '$VERSION' is not a plain version (n.n.n); prerelease labels are not supported by this script yet"

current_rid() {
  local rid
  # The SDK's own RID (portable form on .NET 8+: linux-x64, linux-musl-arm64, osx-arm64, win-x64).
  rid="$(dotnet --info 2>/dev/null | sed -n 's/^[[:space:]]*RID:[[:space:]]*//p' | head -n 1 | tr -d '[:space:]')"
  if [[ "$rid" =~ ^(linux|linux-musl|osx|win)-(x64|x86|arm64|arm)$ ]]; then
    echo "$rid"
    return
  fi
  local os arch
  case "$(uname -s)" in
    Linux) os=linux; if ldd --version 2>&1 | grep -qi musl; then os=linux-musl; fi ;;
    Darwin) os=osx ;;
    MINGW* | MSYS* | CYGWIN*) os=win ;;
    *) die "cannot tell the runtime of $(uname -s); pass --rid" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    armv7l | armv7*) arch=arm ;;
    i686 | i386) arch=x86 ;;
    *) die "cannot tell the runtime of $(uname -m); pass --rid" ;;
  esac
  echo "$os-$arch"
}

[[ -n "$RID" ]] || RID="$(current_rid)"
[[ "$RID" =~ ^[a-z0-9.-]+$ ]] || die "invalid runtime identifier: $RID"
HOST_EXE="openclaw-node"
[[ "$RID" == win-* ]] && HOST_EXE="openclaw-node.exe"

mkdir -p "$OUT_ROOT"
OUT_ROOT="$(cd "$OUT_ROOT" && pwd)"
DEST="$OUT_ROOT/OpenClaw/$VERSION"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/openclaw-package.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

info "OpenClaw $VERSION ($CONFIGURATION), host runtime $RID -> $DEST"

# ---------------------------------------------------------------- build

info "publishing src/OpenClaw.PowerShell (netstandard2.0)"
dotnet publish "$ROOT/src/OpenClaw.PowerShell/OpenClaw.PowerShell.csproj" \
  -c "$CONFIGURATION" -f netstandard2.0 -o "$STAGE/module" --nologo -v:minimal

info "publishing src/OpenClaw.NodeHost ($RID, framework-dependent)"
dotnet publish "$ROOT/src/OpenClaw.NodeHost/OpenClaw.NodeHost.csproj" \
  -c "$CONFIGURATION" -r "$RID" --self-contained false -o "$STAGE/host" --nologo -v:minimal

info "publishing src/OpenClaw.BrowserHost ($RID, framework-dependent$([[ "$WITH_DRIVER" == 1 ]] && echo ', with the Playwright driver'))"
DRIVER_PLATFORM=()
[[ "$WITH_DRIVER" == 1 ]] || DRIVER_PLATFORM=(-p:PlaywrightPlatform=none)
dotnet publish "$ROOT/src/OpenClaw.BrowserHost/OpenClaw.BrowserHost.csproj" \
  -c "$CONFIGURATION" -r "$RID" --self-contained false -o "$STAGE/browser" --nologo -v:minimal ${DRIVER_PLATFORM[@]+"${DRIVER_PLATFORM[@]}"}

# ---------------------------------------------------------------- assemble

rm -rf "$DEST"
mkdir -p "$DEST/en-US" "$DEST/Dependencies" "$DEST/bin/$RID"

sed "s/{{ModuleVersion}}/$VERSION/g" "$ROOT/OpenClaw.psd1" >"$DEST/OpenClaw.psd1"
if grep -n '{{' "$DEST/OpenClaw.psd1" >&2; then die "OpenClaw.psd1 still holds a {{placeholder}} (above)"; fi

# The cmdlets at the root; the engine and its dependencies (every other assembly of the publish output) in
# Dependencies/. Never System.Management.Automation.dll: PowerShell provides it.
shopt -s nullglob
for f in "$STAGE/module"/*.dll; do
  case "$(basename "$f")" in
    System.Management.Automation.dll) ;;
    OpenClaw.PowerShell.dll) cp "$f" "$DEST/" ;;
    *) cp "$f" "$DEST/Dependencies/" ;;
  esac
done
# The native libraries of the engine's packages for this runtime (e_sqlite3 for Import-OpenClawNodeState), which the
# module's load context loads from Dependencies/native/ (src/OpenClaw.PowerShell/Loading/CoreResolver.cs).
mkdir -p "$DEST/Dependencies/native"
while IFS= read -r lib; do cp "$STAGE/host/$lib" "$DEST/Dependencies/native/"; done < <(grep -o "\"runtimes/$RID/native/[^\"]*\"" "$STAGE/host/openclaw-node.deps.json" | tr -d '"' | sed 's|.*/||' | sort -u)
cp "$ROOT/module/OpenClaw.Format.ps1xml" "$DEST/"
cp "$ROOT/module/en-US/about_OpenClaw.help.txt" "$ROOT/module/en-US/about_OpenClaw_ExecApprovals.help.txt" "$DEST/en-US/"

info "building the MAML help from docs/*.md (scripts/maml.cs)"
dotnet run "$ROOT/scripts/maml.cs" -- "$ROOT/docs" "$DEST/en-US/OpenClaw.PowerShell.dll-Help.xml" >/dev/null

# The host: its whole publish output except symbols and XML docs.
(cd "$STAGE/host" && find . -type f ! -name '*.pdb' ! -name '*.xml') | sed 's|^\./||' | while IFS= read -r f; do
  mkdir -p "$DEST/bin/$RID/$(dirname "$f")"
  cp -p "$STAGE/host/$f" "$DEST/bin/$RID/$f"
done
[[ "$RID" == win-* ]] || chmod +x "$DEST/bin/$RID/$HOST_EXE" 2>/dev/null || true

# Intune scripts, and the DSC v3 resource manifest at the root (module discovery) and next to the host (PATH discovery).
mkdir -p "$DEST/Intune"
cp "$ROOT"/module/Intune/* "$DEST/Intune/"
cp "$ROOT/module/OpenClaw.Node.dsc.resource.json" "$DEST/"
cp "$ROOT/module/OpenClaw.Node.dsc.resource.json" "$DEST/bin/$RID/"
# The browser helper next to the host (bin/<rid>/browser/); its driver only with --with-browser-driver.
BROWSER_EXE="openclaw-browser"
[[ "$RID" == win-* ]] && BROWSER_EXE="openclaw-browser.exe"
(cd "$STAGE/browser" && find . -type f ! -name '*.pdb' ! -name '*.xml' ! -name 'playwright.ps1') | sed 's|^\./||' | while IFS= read -r f; do
  if [[ "$f" == .playwright/* && "$WITH_DRIVER" != 1 ]]; then continue; fi
  mkdir -p "$DEST/bin/$RID/browser/$(dirname "$f")"
  cp -p "$STAGE/browser/$f" "$DEST/bin/$RID/browser/$f"
done
[[ "$RID" == win-* ]] || chmod +x "$DEST/bin/$RID/browser/$BROWSER_EXE" 2>/dev/null || true

# ---------------------------------------------------------------- check

EXPECTED=(
  OpenClaw.psd1
  OpenClaw.PowerShell.dll
  Dependencies/OpenClaw.Node.dll
  OpenClaw.Format.ps1xml
  en-US/about_OpenClaw.help.txt
  en-US/about_OpenClaw_ExecApprovals.help.txt
  en-US/OpenClaw.PowerShell.dll-Help.xml
  "bin/$RID/$HOST_EXE"
  "bin/$RID/openclaw-node.dll"
  "bin/$RID/openclaw-node.runtimeconfig.json"
  "bin/$RID/openclaw-node.deps.json"
)
add_expected() { # $1 = path relative to $DEST; skips duplicates (bash 3.2 has no associative arrays)
  local x
  for x in "${EXPECTED[@]}"; do [[ "$x" == "$1" ]] && return 0; done
  EXPECTED+=("$1")
}
for f in "$ROOT"/module/Intune/*; do add_expected "Intune/$(basename "$f")"; done
add_expected OpenClaw.Node.dsc.resource.json
add_expected "bin/$RID/OpenClaw.Node.dsc.resource.json"
# Every runtime assembly the deps.json files name (the engine's package dependencies included).
dlls_in_deps() { # $1 = deps.json
  [[ -f "$1" ]] || die "$1 not found"
  grep -o '"[^"]*\.dll"' "$1" | tr -d '"' | sed 's|.*/||' | sort -u
}
while IFS= read -r dll; do
  case "$dll" in
    System.Management.Automation.dll | OpenClaw.PowerShell.dll) ;;
    *) add_expected "Dependencies/$dll" ;;
  esac
done < <(dlls_in_deps "$STAGE/module/OpenClaw.PowerShell.deps.json")
while IFS= read -r dll; do add_expected "bin/$RID/$dll"; done < <(dlls_in_deps "$STAGE/host/openclaw-node.deps.json")
# Native libraries the host's deps.json names for this runtime (SQLite for 'openclaw-node import'), flattened by publish -r.
while IFS= read -r lib; do add_expected "bin/$RID/$lib"; add_expected "Dependencies/native/$lib"; done < <(grep -o "\"runtimes/$RID/native/[^\"]*\"" "$STAGE/host/openclaw-node.deps.json" | tr -d '"' | sed 's|.*/||' | sort -u)

# The browser helper and the assemblies its deps.json names; the driver's files when it was asked for.
for f in "$BROWSER_EXE" openclaw-browser.dll openclaw-browser.deps.json openclaw-browser.runtimeconfig.json; do add_expected "bin/$RID/browser/$f"; done
while IFS= read -r dll; do add_expected "bin/$RID/browser/$dll"; done < <(dlls_in_deps "$STAGE/browser/openclaw-browser.deps.json")
if [[ "$WITH_DRIVER" == 1 ]]; then
  [[ -f "$STAGE/browser/.playwright/package/cli.js" ]] || die "--with-browser-driver: Playwright has no driver for $RID (no .playwright/package/cli.js in the publish output)"
  while IFS= read -r f; do add_expected "bin/$RID/browser/$f"; done < <(cd "$STAGE/browser" && find .playwright -type f)
fi

missing=0
for f in "${EXPECTED[@]}"; do
  if [[ ! -f "$DEST/$f" ]]; then
    printf 'package.sh: missing: %s\n' "$f" >&2
    missing=1
  fi
done
# Nothing else: every file in the package must be an expected one.
while IFS= read -r f; do
  found=0
  for x in "${EXPECTED[@]}"; do [[ "$x" == "$f" ]] && { found=1; break; }; done
  if [[ "$found" == 0 ]]; then
    printf 'package.sh: unexpected: %s\n' "$f" >&2
    missing=1
  fi
done < <(cd "$DEST" && find . -type f | sed 's|^\./||')
[[ "$missing" == 0 ]] || die "the package in $DEST does not match the expected layout (files above)"

# ---------------------------------------------------------------- report

echo
echo "$DEST"
(cd "$DEST" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r f; do
  printf '  %10s  %s\n' "$(wc -c <"$f" | tr -d '[:space:]')" "$f"
done)
echo
info "ok: ${#EXPECTED[@]} expected files present."
