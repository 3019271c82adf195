#!/usr/bin/env bash
# Publishes the openclaw-node host in every shipped form into out/publish/<rid>-<flavour>/:
#
#   linux-x64-aot     NativeAOT (.NET 10), trimmed, one native file; needs clang (Debian: apt-get install -y clang)
#   linux-x64-lean    self-contained, trimmed, ReadyToRun, GC tuned for a small idle process (.NET 10 JIT)
#   <rid>-fd          framework-dependent single file (needs a .NET 10 runtime on the machine)
#   <rid>-sc          self-contained single file, trimmed (no .NET needed on the machine)
#
# for <rid> in win-x64, osx-arm64, osx-x64 and linux-x64 (NativeAOT cannot be cross-compiled from Linux to
# Windows or macOS: those ship the single-file builds, or NativeAOT built on their own OS with the same switch,
# -p:OpenClawAot=true). Every build treats warnings (trim and AOT analysis included) as errors.
#
# Usage: scripts/publish.sh [--only <flavour>[,<flavour>...]] [--rids <rid>[,<rid>...]] [--out <dir>]
#   flavours: aot, lean, fd, sc (default: all); rids for fd/sc (default: linux-x64,win-x64,osx-arm64,osx-x64)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJ="$ROOT/src/OpenClaw.NodeHost/OpenClaw.NodeHost.csproj"
OUT="$ROOT/out/publish"
ONLY="aot,lean,fd,sc"
RIDS="linux-x64,win-x64,osx-arm64,osx-x64"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

die() { printf 'publish.sh: error: %s\n' "$*" >&2; exit 1; }
info() { printf 'publish.sh: %s\n' "$*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) [[ $# -ge 2 ]] || die "--only needs a value (aot, lean, fd, sc)"; ONLY="$2"; shift 2 ;;
    --rids) [[ $# -ge 2 ]] || die "--rids needs a value (e.g. win-x64,osx-arm64)"; RIDS="$2"; shift 2 ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a directory"; OUT="$2"; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
for f in ${ONLY//,/ }; do [[ "$f" =~ ^(aot|lean|fd|sc)$ ]] || die "unknown flavour '$f': use aot, lean, fd or sc"; done
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
has() { [[ ",$ONLY," == *",$1,"* ]]; }
DONE=()
SKIPPED=()

publish() { # $1 = output name, rest = dotnet publish arguments
  local name="$1"
  shift
  info "$name"
  rm -rf "${OUT:?}/$name"
  dotnet publish "$PROJ" -c Release -o "$OUT/$name" --nologo -v:minimal -clp:NoSummary "$@"
  # Symbols and XML docs are not shipped.
  find "$OUT/$name" \( -name '*.pdb' -o -name '*.dbg' -o -name '*.xml' \) -delete
  DONE+=("$name $(du -sh "$OUT/$name" | cut -f1)")
}

if has aot; then
  if [[ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]]; then
    SKIPPED+=("linux-x64-aot: NativeAOT for linux-x64 is built on Linux x64 only")
  elif ! command -v clang >/dev/null; then
    SKIPPED+=("linux-x64-aot: clang not found (NativeAOT links with it): apt-get install -y clang")
  else
    publish linux-x64-aot -r linux-x64 -p:OpenClawAot=true
  fi
fi
if has lean; then
  publish linux-x64-lean -r linux-x64 -p:OpenClawLean=true
fi
for rid in ${RIDS//,/ }; do
  [[ "$rid" =~ ^[a-z0-9.-]+$ ]] || die "invalid runtime identifier '$rid'"
  if has fd; then publish "$rid-fd" -r "$rid" --self-contained false -p:PublishSingleFile=true; fi
  if has sc; then publish "$rid-sc" -r "$rid" --self-contained true -p:PublishSingleFile=true -p:OpenClawTrimmed=true; fi
done

info "done in $OUT:"
for d in "${DONE[@]}"; do info "  $d"; done
for s in "${SKIPPED[@]}"; do info "  skipped $s"; done
