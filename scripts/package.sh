#!/usr/bin/env bash
# Builds the shipped module layout with dotnet alone, for machines without PowerShell (build.ps1 -Task Package does
# the same, plus MAML help through platyPS):
#
#   out/OpenClaw/<version>/
#     OpenClaw.psd1                  the top-level template with ModuleVersion from Directory.Build.props
#     OpenClaw.PowerShell.dll        the cmdlets (root module)
#     OpenClaw.Node.dll + deps       the engine and every assembly its deps.json names (see "Dependencies" below)
#     OpenClaw.Format.ps1xml
#     en-US/about_OpenClaw.help.txt, en-US/about_OpenClaw_ExecApprovals.help.txt
#     bin/<rid>/openclaw-node[.exe]  the host executable (framework-dependent, .NET 10) and its files
#
# Dependencies sit next to the root module, not in Dependencies/ (STYLE.md section 12): that layout needs an
# assembly-load resolver in OpenClaw.PowerShell.dll (AssemblyLoadContext on 7.x, AssemblyResolve on 5.1), which the
# cmdlet project does not have yet. Move them when it does.
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
Usage: scripts/package.sh [--rid <rid>] [--configuration <config>] [--out <dir>]

  --rid <rid>               runtime of the bundled openclaw-node host (default: this machine's, e.g. linux-x64,
                            osx-arm64, win-x64)
  -c, --configuration <c>   build configuration (default: Release)
  --out <dir>               output root (default: <repo>/out); the module goes to <dir>/OpenClaw/<version>/
EOF
}

RID=""
CONFIGURATION="Release"
OUT_ROOT="$ROOT/out"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rid) [[ $# -ge 2 ]] || die "--rid needs a value"; RID="$2"; shift 2 ;;
    --rid=*) RID="${1#--rid=}"; shift ;;
    -c | --configuration) [[ $# -ge 2 ]] || die "$1 needs a value"; CONFIGURATION="$2"; shift 2 ;;
    --configuration=*) CONFIGURATION="${1#--configuration=}"; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a value"; OUT_ROOT="$2"; shift 2 ;;
    --out=*) OUT_ROOT="${1#--out=}"; shift ;;
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

# ---------------------------------------------------------------- assemble

rm -rf "$DEST"
mkdir -p "$DEST/en-US" "$DEST/bin/$RID"

sed "s/{{ModuleVersion}}/$VERSION/g" "$ROOT/OpenClaw.psd1" >"$DEST/OpenClaw.psd1"
if grep -n '{{' "$DEST/OpenClaw.psd1" >&2; then die "OpenClaw.psd1 still holds a {{placeholder}} (above)"; fi

# The cmdlets, the engine and the engine's dependencies: every assembly of the publish output. Never
# System.Management.Automation.dll: PowerShell provides it.
shopt -s nullglob
for f in "$STAGE/module"/*.dll; do
  [[ "$(basename "$f")" == System.Management.Automation.dll ]] && continue
  cp "$f" "$DEST/"
done
cp "$ROOT/module/OpenClaw.Format.ps1xml" "$DEST/"
cp "$ROOT/module/en-US/about_OpenClaw.help.txt" "$ROOT/module/en-US/about_OpenClaw_ExecApprovals.help.txt" "$DEST/en-US/"

# The host: its whole publish output except symbols and XML docs.
(cd "$STAGE/host" && find . -type f ! -name '*.pdb' ! -name '*.xml') | sed 's|^\./||' | while IFS= read -r f; do
  mkdir -p "$DEST/bin/$RID/$(dirname "$f")"
  cp -p "$STAGE/host/$f" "$DEST/bin/$RID/$f"
done
[[ "$RID" == win-* ]] || chmod +x "$DEST/bin/$RID/$HOST_EXE" 2>/dev/null || true

# ---------------------------------------------------------------- check

EXPECTED=(
  OpenClaw.psd1
  OpenClaw.PowerShell.dll
  OpenClaw.Node.dll
  OpenClaw.Format.ps1xml
  en-US/about_OpenClaw.help.txt
  en-US/about_OpenClaw_ExecApprovals.help.txt
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
# Every runtime assembly the deps.json files name (the engine's package dependencies included).
dlls_in_deps() { # $1 = deps.json
  [[ -f "$1" ]] || die "$1 not found"
  grep -o '"[^"]*\.dll"' "$1" | tr -d '"' | sed 's|.*/||' | sort -u
}
while IFS= read -r dll; do
  [[ "$dll" == System.Management.Automation.dll ]] && continue
  add_expected "$dll"
done < <(dlls_in_deps "$STAGE/module/OpenClaw.PowerShell.deps.json")
while IFS= read -r dll; do add_expected "bin/$RID/$dll"; done < <(dlls_in_deps "$STAGE/host/openclaw-node.deps.json")

missing=0
for f in "${EXPECTED[@]}"; do
  if [[ ! -f "$DEST/$f" ]]; then
    printf 'package.sh: missing: %s\n' "$f" >&2
    missing=1
  fi
done
[[ ! -e "$DEST/System.Management.Automation.dll" ]] || die "System.Management.Automation.dll must not ship"
[[ "$missing" == 0 ]] || die "the package in $DEST is incomplete (files above)"

# ---------------------------------------------------------------- report

echo
echo "$DEST"
(cd "$DEST" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r f; do
  printf '  %10s  %s\n' "$(wc -c <"$f" | tr -d '[:space:]')" "$f"
done)
echo
info "ok: ${#EXPECTED[@]} expected files present."
if [[ ! -f "$DEST/en-US/OpenClaw.PowerShell.dll-Help.xml" ]]; then
  info "note: no MAML help (en-US/OpenClaw.PowerShell.dll-Help.xml): it is built from docs/ by platyPS,"
  info "      which needs PowerShell (./build.ps1 -Task Package). Without it Get-Help shows only the syntax."
fi
