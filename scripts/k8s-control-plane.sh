#!/usr/bin/env bash
# Starts (or stops) a throwaway etcd + kube-apiserver on loopback, built by scripts/k8s-binaries.sh, with
# everything (certificates, data, logs, pids, kubeconfig) in DIR. See --help.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  cat <<'EOF'
usage: scripts/k8s-control-plane.sh start DIR | stop DIR | restart-apiserver DIR | --help

start  builds the binaries if needed (scripts/k8s-binaries.sh), generates a CA, a serving certificate and a
       service-account key pair with openssl, starts etcd and kube-apiserver on free loopback ports and waits
       for /readyz. Writes DIR/kubeconfig (user "admin", group system:masters, a bearer token) and DIR/env
       (KUBECONFIG, the apiserver's URL and token, etcd's URL), then prints DIR/kubeconfig on stdout.
       Logs: DIR/etcd.log, DIR/kube-apiserver.log.
stop   stops the processes DIR's pid files name (kube-apiserver, then etcd). DIR itself is kept.
restart-apiserver  stops kube-apiserver and starts it again with the same flags, port and etcd (its watch cache
       starts afresh: clients resuming a watch from an older resourceVersion get 410 Gone and list again).

There is no controller manager, so no namespace deletion, garbage collection or service-account tokens; the
ServiceAccount admission plugin is off so that pods can be created without a "default" service account, and
the endpoint reconciler is off (kube-apiserver 1.37 refuses a loopback address for the "kubernetes" service).
Timeouts: FAIRWAY_K8S_START_TIMEOUT seconds for each process (default 120).
Audit: every request's metadata (user, verb, resource, the authorizer's decision, the answer's code) goes to
DIR/audit.log as JSON lines, unless FAIRWAY_K8S_AUDIT=off (benchmarks: the log backend writes synchronously).
EOF
}

log() { echo "k8s-control-plane: $*" >&2; }
die() { log "$*"; exit 1; }
now_ms() { date +%s%3N; }
secs() { printf '%d.%01d s' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# Sets REPLY to a port nothing listens on yet (etcd cannot be given port 0 and asked which it took). Below
# Linux's ephemeral range, so outgoing connections do not hold it.
used_ports=""
pick_port() {
  local p i
  for i in $(seq 1 100); do
    p=$((20000 + RANDOM % 12000))
    [[ "$used_ports " == *" $p "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    used_ports+=" $p"; REPLY=$p; return 0
  done
  die "found no free port in 100 tries ($i)"
}

# The pid in DIR/NAME.pid when that process is alive and still ours (its command line names DIR).
live_pid() {
  local f="$dir/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/" \
    && echo "$pid"
}

stop_one() {
  local name="$1" pid i
  if pid=$(live_pid "$name"); then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; : "$i"; done
    if kill -0 "$pid" 2>/dev/null; then log "$name ($pid) ignored SIGTERM for 10 s, killing it"; kill -9 "$pid" || true; fi
    log "stopped $name ($pid)"
  fi
  rm -f "$dir/$name.pid"
}

stop_all() { stop_one kube-apiserver; stop_one etcd; }

# Fails the start: shows the end of the process's log and stops what was started.
start_failed() {
  log "$1"; log "last lines of $dir/$2.log:"; tail -n 30 "$dir/$2.log" >&2 || true
  stop_all; exit 1
}

# Polls until the URL answers 200 (curl's other arguments follow) or the process dies or the timeout passes.
wait_ready() {
  local name="$1" url="$2"; shift 2
  local pid deadline=$(($(now_ms) + ${FAIRWAY_K8S_START_TIMEOUT:-120} * 1000))
  pid=$(cat "$dir/$name.pid")
  until curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || start_failed "$name exited before $url answered" "$name"
    [ "$(now_ms)" -lt "$deadline" ] || start_failed "$url did not answer 200 within ${FAIRWAY_K8S_START_TIMEOUT:-120} s" "$name"
    sleep 0.2
  done
}

# Starts kube-apiserver with the command line start() saved, its output appended to its log.
launch_apiserver() {
  local cmd=()
  mapfile -d '' -t cmd <"$dir/kube-apiserver.cmd"
  nohup "${cmd[@]}" </dev/null >>"$dir/kube-apiserver.log" 2>&1 &
  echo $! >"$dir/kube-apiserver.pid"
}

# Stops kube-apiserver and starts it again on the same port and etcd: its watch cache starts afresh, so clients that
# resume a watch from an older resourceVersion get 410 Gone and must list again.
restart_apiserver() {
  if [ ! -f "$dir/kube-apiserver.cmd" ] || [ ! -f "$dir/env" ]; then die "no control plane was started in $dir"; fi
  local t server token ca
  server=$(sed -n 's/^export FAIRWAY_K8S_SERVER=//p' "$dir/env")
  token=$(sed -n 's/^export FAIRWAY_K8S_TOKEN=//p' "$dir/env")
  ca=$(sed -n 's/^export FAIRWAY_K8S_CA=//p' "$dir/env")
  stop_one kube-apiserver
  t=$(now_ms)
  launch_apiserver
  wait_ready kube-apiserver "$server/readyz" --cacert "$ca" -H "Authorization: Bearer $token"
  log "kube-apiserver restarted on $server in $(secs $(($(now_ms) - t)))"
}

pki() {
  local p="$dir/pki"
  mkdir -p "$p"
  # P-256 keys: generated in milliseconds, and kube-apiserver signs service-account tokens with them (ES256).
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=fairway-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$p/ca.key" -out "$p/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$p/apiserver.key" -out "$p/apiserver.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc,IP:10.0.0.1" >"$p/apiserver.ext"
  openssl x509 -req -in "$p/apiserver.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial -days 365 \
    -extfile "$p/apiserver.ext" -out "$p/apiserver.crt" 2>/dev/null
  openssl ecparam -name prime256v1 -genkey -noout -out "$p/sa.key"
  openssl ec -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
  chmod 600 "$p"/*.key
}

start() {
  local name pid
  for name in etcd kube-apiserver; do
    if pid=$(live_pid "$name"); then die "$name is already running from $dir (pid $pid); run: $0 stop $dir"; fi
  done
  command -v openssl >/dev/null || die "needs openssl"
  command -v curl >/dev/null || die "needs curl"

  local bins etcd apiserver kubectl
  bins=$("$here/k8s-binaries.sh") || die "scripts/k8s-binaries.sh failed"
  etcd=$(grep '/etcd$' <<<"$bins"); apiserver=$(grep '/kube-apiserver$' <<<"$bins"); kubectl=$(grep '/kubectl$' <<<"$bins")

  local t0 t1 t2
  t0=$(now_ms)
  pki
  local token
  token=$(openssl rand -hex 24)
  printf '%s,admin,admin,"system:masters"\n' "$token" >"$dir/tokens.csv"
  chmod 600 "$dir/tokens.csv"

  local etcd_port peer_port api_port
  pick_port; etcd_port=$REPLY; pick_port; peer_port=$REPLY; pick_port; api_port=$REPLY
  local etcd_url="http://127.0.0.1:$etcd_port" peer_url="http://127.0.0.1:$peer_port"
  rm -rf "$dir/etcd"

  t1=$(now_ms)
  nohup "$etcd" --name fairway --data-dir "$dir/etcd" \
    --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
    --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
    --initial-cluster "fairway=$peer_url" --initial-cluster-state new \
    --log-level warn </dev/null >"$dir/etcd.log" 2>&1 &
  echo $! >"$dir/etcd.pid"
  wait_ready etcd "$etcd_url/health"
  log "etcd ready on $etcd_url in $(secs $(($(now_ms) - t1)))"

  t2=$(now_ms)
  local p="$dir/pki"
  local audit=()
  if [ "${FAIRWAY_K8S_AUDIT:-on}" != off ]; then
    printf '%s\n' "apiVersion: audit.k8s.io/v1" "kind: Policy" "omitStages: [RequestReceived]" "rules:" \
      "- level: Metadata" >"$dir/audit-policy.yaml"
    rm -f "$dir/audit.log"
    audit=(--audit-policy-file "$dir/audit-policy.yaml" --audit-log-path "$dir/audit.log" --audit-log-format json
      --audit-log-maxsize 0)
  fi
  # kept for restart-apiserver: the same flags, the same port
  printf '%s\0' "$apiserver" --etcd-servers "$etcd_url" "${audit[@]}" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" --client-ca-file "$p/ca.crt" \
    --token-auth-file "$dir/tokens.csv" --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 --disable-admission-plugins ServiceAccount \
    --endpoint-reconciler-type none >"$dir/kube-apiserver.cmd"
  : >"$dir/kube-apiserver.log"
  launch_apiserver
  local server="https://127.0.0.1:$api_port"
  wait_ready kube-apiserver "$server/readyz" --cacert "$p/ca.crt" -H "Authorization: Bearer $token"
  log "kube-apiserver ready on $server in $(secs $(($(now_ms) - t2))) (etcd + kube-apiserver: $(secs $(($(now_ms) - t1))), with the certificates: $(secs $(($(now_ms) - t0))))"

  cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fairway
  cluster:
    server: $server
    certificate-authority: $p/ca.crt
users:
- name: admin
  user:
    token: $token
contexts:
- name: fairway
  context:
    cluster: fairway
    user: admin
current-context: fairway
EOF
  chmod 600 "$dir/kubeconfig"
  {
    echo "export KUBECONFIG=$dir/kubeconfig"
    echo "export FAIRWAY_K8S_SERVER=$server"
    echo "export FAIRWAY_K8S_TOKEN=$token"
    echo "export FAIRWAY_K8S_CA=$p/ca.crt"
    echo "export FAIRWAY_ETCD_URL=$etcd_url"
    echo "export FAIRWAY_K8S_KUBECTL=$kubectl"
  } >"$dir/env"
  echo "$dir/kubeconfig"
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  start|stop|restart-apiserver) [ $# = 2 ] || { usage >&2; exit 2; } ;;
  *) usage >&2; exit 2 ;;
esac
mkdir -p "$2"
dir="$(cd "$2" && pwd)"
case "$1" in
  start) start ;;
  restart-apiserver) restart_apiserver ;;
  *) stop_all ;;
esac
