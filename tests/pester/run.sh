#!/usr/bin/env bash
# Runs the Pester 5 suite (tests/pester/*.Tests.ps1) against the packaged module, where PowerShell 7 and Pester 5
# are installed; elsewhere prints one line saying why it was skipped and exits 0.
#
# By default it first packages the module with ./build.ps1 -Task Package (which also builds the MAML help when
# platyPS is installed). --no-build tests the existing out/OpenClaw/<version>/ instead.
#
# Usage: tests/pester/run.sh [--no-build]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

build=1
case "${1:-}" in
  "") ;;
  --no-build) build=0 ;;
  -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) printf 'run.sh: unknown argument: %s\n' "$1" >&2; exit 2 ;;
esac

if ! command -v pwsh >/dev/null 2>&1; then
  echo "Pester tests skipped: pwsh (PowerShell 7) is not installed on this machine."
  exit 0
fi
# Pester 5 or later; an older Pester (3.x/4.x) cannot run this suite and counts as not installed.
# shellcheck disable=SC2016
if ! pwsh -NoProfile -NonInteractive -Command \
  'if (Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]"5.0.0" }) { exit 0 } else { exit 1 }' \
  >/dev/null 2>&1; then
  echo "Pester tests skipped: the Pester module is not installed."
  exit 0
fi

if [[ "$build" == 1 ]]; then
  pwsh -NoProfile -NonInteractive -File "$ROOT/build.ps1" -Task Package
fi

VERSION="$(sed -n 's:.*<ModuleVersion>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</ModuleVersion>.*:\1:p' "$ROOT/Directory.Build.props" | head -n 1)"
export OPENCLAW_MODULE_MANIFEST="${OPENCLAW_MODULE_MANIFEST:-$ROOT/out/OpenClaw/$VERSION/OpenClaw.psd1}"
[[ -f "$OPENCLAW_MODULE_MANIFEST" ]] || {
  printf 'run.sh: %s not found; build the package (./build.ps1 -Task Package or scripts/package.sh).\n' "$OPENCLAW_MODULE_MANIFEST" >&2
  exit 1
}
export OPENCLAW_PESTER_PATH="$SCRIPT_DIR"

# Run.Exit makes the exit code the number of failed tests.
# shellcheck disable=SC2016
exec pwsh -NoProfile -NonInteractive -Command '
  Import-Module Pester -MinimumVersion 5.0.0
  $config = New-PesterConfiguration
  $config.Run.Path = $env:OPENCLAW_PESTER_PATH
  $config.Run.Exit = $true
  $config.Output.Verbosity = "Detailed"
  Invoke-Pester -Configuration $config'
