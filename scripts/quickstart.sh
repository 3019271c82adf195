#!/usr/bin/env bash
# The main job, end to end on this machine: provision a real OpenClaw gateway on loopback, build and start our node
# host, approve its pairing, run system.which and system.run through the gateway, and show the results.
# Needs only the .NET SDK and npm. Everything it installs or writes stays under .cache/ in the repository.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

WORK="$ROOT/.cache/quickstart"
GW="$WORK/gateway"
NODE_STATE="$WORK/node"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
now_ms() { date +%s%3N; }

NODE_PID=""
cleanup() {
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then kill -TERM "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  bash scripts/gateway.sh stop "$GW" >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "1/6 Installing the real OpenClaw gateway (openclaw@2026.9.6 on Node 26, cached in .cache/)"
bash scripts/gateway.sh install

say "2/6 Building openclaw-node (Release)"
dotnet build src/OpenClaw.NodeHost -c Release -nologo -v q -clp:NoSummary
HOST="$ROOT/src/OpenClaw.NodeHost/bin/Release/net10.0/openclaw-node"

say "3/6 Starting an isolated gateway on a free loopback port"
rm -rf "$WORK"; mkdir -p "$WORK"
bash scripts/gateway.sh start "$GW" >/dev/null
PORT=$(sed -n 's/.*"port": *\([0-9]*\).*/\1/p' "$GW/gateway.json")
export OPENCLAW_GATEWAY_TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$GW/gateway.json")
echo "gateway ws://127.0.0.1:$PORT (state in $GW)"

say "4/6 Starting our node host: openclaw-node run --port $PORT --display-name quickstart"
START_MS=$(now_ms)
"$HOST" run --host 127.0.0.1 --port "$PORT" --display-name quickstart --state-dir "$NODE_STATE" --json \
  > "$WORK/node-status.ndjson" 2> "$WORK/node.log" &
NODE_PID=$!
wait_state() {  # wait_state <state> <seconds>
  local deadline=$(( $(date +%s) + $2 ))
  until grep -q "\"state\":\"$1\"" "$WORK/node-status.ndjson" 2>/dev/null; do
    kill -0 "$NODE_PID" 2>/dev/null || { echo "openclaw-node exited:"; cat "$WORK/node.log"; exit 1; }
    (( $(date +%s) < deadline )) || { echo "timed out waiting for $1"; cat "$WORK/node.log"; exit 1; }
    sleep 0.1
  done
}
wait_state AwaitingApproval 60
sed 's/^/  node | /' "$WORK/node.log"

say "5/6 Approving the pairing on the gateway (operator side)"
"$HOST" nodes pending --port "$PORT"
"$HOST" nodes approve --all --port "$PORT"
until grep -q 'approved this node' "$WORK/node-status.ndjson"; do sleep 0.05; done

say "6/6 Invoking commands on the node through the gateway (node.invoke)"
echo "\$ openclaw-node nodes invoke --node quickstart --command system.which --params '{\"bins\":[\"sh\",\"ls\",\"nonexistent\"]}'"
"$HOST" nodes invoke --port "$PORT" --node quickstart --command system.which --params '{"bins":["sh","ls","nonexistent"]}'
echo "\$ openclaw-node nodes invoke --node quickstart --command system.run --params '{\"command\":[\"uname\",\"-sr\"]}'"
"$HOST" nodes invoke --port "$PORT" --node quickstart --command system.run --params '{"command":["uname","-sr"]}'
echo "\$ openclaw-node nodes invoke --node quickstart --command system.run --params '{\"command\":[\"sh\",\"-c\",\"echo out; echo err >&2; exit 3\"]}'"
"$HOST" nodes invoke --port "$PORT" --node quickstart --command system.run --params '{"command":["sh","-c","echo out; echo err >&2; exit 3"]}'

say "Restarting the node: it is already paired, so it serves immediately"
kill -TERM "$NODE_PID"; wait "$NODE_PID" || true
START_MS=$(now_ms)
"$HOST" run --host 127.0.0.1 --port "$PORT" --state-dir "$NODE_STATE" --json > "$WORK/node-status.ndjson" 2>> "$WORK/node.log" &
NODE_PID=$!
until grep -q '"state":"Connected"' "$WORK/node-status.ndjson" 2>/dev/null; do sleep 0.01; done
END_MS=$(now_ms)
"$HOST" nodes invoke --port "$PORT" --node quickstart --command system.which --params '{"bins":["sh"]}' >/dev/null
RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$NODE_PID/status" 2>/dev/null || echo "?")
echo "start of openclaw-node run -> connected and serving: $((END_MS - START_MS)) ms (bench/run.sh measures the first system.which precisely, next to the official host)"
echo "node host resident memory now: ${RSS_KB} kB"
echo
echo "Done. Node log: $WORK/node.log"
