#!/usr/bin/env bash
# Side-by-side benchmark of our node host and the official TypeScript host (see bench/README.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
dotnet build src/OpenClaw.NodeHost -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet run --project bench/OpenClaw.Bench -c Release -- "$@"
