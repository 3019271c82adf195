#!/usr/bin/env bash
# Soak benchmark (see bench/soak/README.md): bench/soak/run.sh [--restarts N] [--invocations M] [--host PATH]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
dotnet build src/OpenClaw.NodeHost -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet run --project bench/soak/OpenClaw.Soak.csproj -c Release -- "$@"
