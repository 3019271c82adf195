#!/usr/bin/env bash
# Runs every test of the project: build with warnings as errors, unit tests, integration tests against the real
# OpenClaw gateway (installed into .cache/ on first use by scripts/gateway.sh), metadata tests of the PowerShell
# module, then the Pester suite where pwsh and Pester exist. Ends with one line "N passed, N failed, N skipped".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is required." >&2; exit 1; }
command -v npm >/dev/null || { echo "test.sh: npm is required to install the real OpenClaw gateway for the integration tests." >&2; exit 1; }

echo "==> Installing the real OpenClaw gateway (cached in .cache/openclaw-gateway)"
bash scripts/gateway.sh install

echo "==> Installing Debian chromium for the browser.proxy tests (they are skipped without it)"
if [[ ! -x /usr/bin/chromium ]] && command -v apt-get >/dev/null; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo -n"
  $SUDO apt-get install -y chromium >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y chromium >/dev/null 2>&1; } || true
fi
[[ -x /usr/bin/chromium ]] || echo "test.sh: chromium could not be installed; the browser.proxy browser tests will be skipped."

echo "==> Building (Release, warnings are errors)"
dotnet build OpenClaw.PowerShell.sln -c Release -nologo -clp:NoSummary

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
# Packaged before the tests: tests/OpenClaw.PowerShell.Tests checks out/OpenClaw/<version>/ file by file and imports it
# in a hosted PowerShell 7.6 (OPENCLAW_PACKAGE_OUT tells it where; without it the tests package on their own).
echo "==> Packaging the module with dotnet alone (out/OpenClaw/<version>/)"
status=0
if bash scripts/package.sh >/dev/null; then
  export OPENCLAW_PACKAGE_OUT="$ROOT/out"
else
  echo "test.sh: scripts/package.sh failed" >&2
  status=1
fi

echo "==> Running the .NET test suites"
set +e
dotnet test OpenClaw.PowerShell.sln -c Release --no-build -nologo 2>&1 | tee "$LOG"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
set -e

echo "==> Pester"
bash tests/pester/run.sh || status=1

passed=$(grep -Eo 'Passed: +[0-9]+' "$LOG" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$LOG" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$LOG" | awk '{s+=$2} END {print s+0}')
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
