#!/usr/bin/env bash
# Side-by-side benchmark of our node host and the official TypeScript host (see bench/README.md).
# Measures the NativeAOT build (scripts/publish.sh --only aot, needs clang) unless --ours names a binary; without
# clang it says so and measures the JIT build. --smoke: a short run of our host alone that fails (exit 1) unless
# the binary pairs, answers system.which and system.run through the real gateway without errors.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
args=("$@")
if [[ " $* " != *" --ours "* ]]; then
  if command -v clang >/dev/null && [[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]]; then
    bash scripts/publish.sh --only aot
  else
    echo "bench: clang not found (apt-get install -y clang): measuring the JIT build instead of NativeAOT" >&2
    dotnet build src/OpenClaw.NodeHost -c Release -nologo -v q -clp:NoSummary >/dev/null
    args+=(--ours "$ROOT/src/OpenClaw.NodeHost/bin/Release/net10.0/openclaw-node")
  fi
fi
dotnet build bench/OpenClaw.Bench -c Release -nologo -v q -clp:NoSummary >/dev/null
exec dotnet bench/OpenClaw.Bench/bin/Release/net10.0/OpenClaw.Bench.dll "${args[@]}"
