#!/usr/bin/env bash
# Side-by-side benchmark of our node host and the official TypeScript host (see bench/README.md).
# Measures the NativeAOT build (scripts/publish.sh --only aot, needs clang) unless --ours names a binary; without
# clang it says so and measures the JIT build. --smoke: a short run of our host alone that fails (exit 1) unless
# the binary pairs, answers system.which and system.run through the real gateway without errors. The floor is the
# NativeAOT bench/OpenClaw.Floor (published into out/publish/floor-aot) unless --floor names a binary.
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
# The floor: the NativeAOT responder bench/OpenClaw.Floor (needs clang, like the host) unless --floor names one; without
# clang (and under --smoke, to keep it short) the bench's own JIT floor-node answers instead.
if [[ " $* " != *" --floor "* && " $* " != *" --smoke "* ]]; then
  if command -v clang >/dev/null && [[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]]; then
    rm -rf out/publish/floor-aot
    dotnet publish bench/OpenClaw.Floor -c Release -r linux-x64 -p:OpenClawAot=true -o out/publish/floor-aot --nologo -v:minimal -clp:NoSummary >&2
    find out/publish/floor-aot \( -name '*.pdb' -o -name '*.dbg' -o -name '*.xml' \) -delete
    args+=(--floor "$ROOT/out/publish/floor-aot/openclaw-floor")
  else
    echo "bench: clang not found (apt-get install -y clang): the floor is the JIT floor-node, not the NativeAOT openclaw-floor" >&2
  fi
fi
dotnet build bench/OpenClaw.Bench -c Release -nologo -v q -clp:NoSummary >/dev/null
exec dotnet bench/OpenClaw.Bench/bin/Release/net10.0/OpenClaw.Bench.dll "${args[@]}"
