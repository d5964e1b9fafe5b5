#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kube-scheduler (and kubectl when /usr/bin/kubectl is missing) from their Go
# modules into a cache outside the tree, for tests against a real control plane. See --help.
set -euo pipefail

KUBE_VERSION="${FAIRWAY_K8S_VERSION:-v1.34.3}"
# kube-apiserver 1.34 is tested against etcd 3.6 (its etcd client is v3.6.4).
ETCD_VERSION="${FAIRWAY_ETCD_VERSION:-v3.6.17}"
CACHE="${FAIRWAY_K8S_CACHE:-$HOME/.cache/fairway/k8s}"

usage() {
  cat <<EOF
usage: scripts/k8s-binaries.sh [--print-dir | --help]

Builds into $CACHE/<kubernetes-version>/bin/:
  etcd            go.etcd.io/etcd/server/v3 $ETCD_VERSION
  kube-apiserver  k8s.io/kubernetes/cmd/kube-apiserver $KUBE_VERSION
  kube-scheduler  k8s.io/kubernetes/cmd/kube-scheduler $KUBE_VERSION
  kubectl         k8s.io/kubernetes/cmd/kubectl $KUBE_VERSION, only when /usr/bin/kubectl is missing
                  (or FAIRWAY_K8S_BUILD_KUBECTL is set)
Binaries already there are kept. Progress goes to stderr, the binaries' paths to stdout.
Each step's output is kept in <kubernetes-version>/logs/; the generated build modules in <kubernetes-version>/src/.

  --print-dir  print the bin directory and exit (builds nothing)
  --help       this text

Environment: FAIRWAY_K8S_VERSION (default v1.34.3), FAIRWAY_ETCD_VERSION (default v3.6.17),
FAIRWAY_K8S_CACHE (default \$HOME/.cache/fairway/k8s). Needs Go and the Go module proxy (or a filled module cache).
EOF
}

case "${1:-}" in
  "") ;;
  --print-dir) echo "$CACHE/$KUBE_VERSION/bin"; exit 0 ;;
  -h|--help) usage; exit 0 ;;
  *) echo "k8s-binaries: unknown argument: $1" >&2; usage >&2; exit 2 ;;
esac

if [[ ! "$KUBE_VERSION" =~ ^v1\.[0-9]+\.[0-9]+ ]]; then
  echo "k8s-binaries: FAIRWAY_K8S_VERSION must look like v1.34.3, not '$KUBE_VERSION'" >&2; exit 2
fi
# The staging modules (k8s.io/api, k8s.io/client-go, ...) are tagged v0.X.Y for kubernetes v1.X.Y.
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"

GO="$(command -v go || true)"
[ -n "$GO" ] || GO=/usr/local/go/bin/go
[ -x "$GO" ] || { echo "k8s-binaries: no Go toolchain (go on the PATH or /usr/local/go/bin/go)" >&2; exit 2; }

ROOT="$CACHE/$KUBE_VERSION"
BIN="$ROOT/bin"
LOGS="$ROOT/logs"
SRC="$ROOT/src"
mkdir -p "$BIN" "$LOGS" "$SRC"

log() { echo "k8s-binaries: $*" >&2; }
dur() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Runs a command with its output in $LOGS/<name>.log; on failure prints the exact command, the end of its output
# and exits with its status.
run() {
  local name="$1" rc=0; shift
  local out="$LOGS/$name.log"
  log "\$ $(printf '%q ' "$@")"
  "$@" >"$out" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    {
      echo "k8s-binaries: FAILED (exit $rc): $(printf '%q ' "$@")"
      echo "k8s-binaries: last lines of $out:"
      tail -n 40 "$out"
    } >&2
    exit "$rc"
  fi
}

# Prints a string field of `go mod download -json` output.
json_field() { sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}\$/\1/p" "$1" | head -n 1; }

kubectl_wanted=false
{ [ -x /usr/bin/kubectl ] && [ -z "${FAIRWAY_K8S_BUILD_KUBECTL:-}" ]; } || kubectl_wanted=true

# Not `etcd --version | grep -q`: grep quits at the first line, etcd dies of SIGPIPE and pipefail calls it a miss.
etcd_cached() {
  [ -x "$BIN/etcd" ] && [[ "$("$BIN/etcd" --version 2>/dev/null)" == *"etcd Version: ${ETCD_VERSION#v}"$'\n'* ]]
}

todo=()
if etcd_cached; then log "cached: $BIN/etcd"; else todo+=(etcd); fi
kube_cmds=(kube-apiserver kube-scheduler)
$kubectl_wanted && kube_cmds+=(kubectl)
for c in "${kube_cmds[@]}"; do
  if [ -x "$BIN/$c" ]; then log "cached: $BIN/$c"; else todo+=("$c"); fi
done
$kubectl_wanted || log "kubectl: using /usr/bin/kubectl ($(/usr/bin/kubectl version --client 2>/dev/null | head -n 1))"

if [ "${#todo[@]}" -gt 0 ]; then
  modcache="$("$GO" env GOMODCACHE)"
  kb_before=$(du -sk "$modcache/cache/download" 2>/dev/null | cut -f1 || echo 0)
  started=$SECONDS

  if [[ " ${todo[*]} " == *" etcd "* ]]; then
    # The module root is etcd's main package. `go install ...@version` refuses etcd's go.mod (it has replace
    # directives), so build it from a module of our own.
    d="$SRC/etcd"
    rm -rf "$d"; mkdir -p "$d"
    run etcd-download "$GO" mod download -json "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    etcd_go=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$(json_field "$LOGS/etcd-download.log" GoMod)")
    cat >"$d/go.mod" <<EOF
module fairway.local/k8s-binaries/etcd

go ${etcd_go:-1.24.0}

require go.etcd.io/etcd/server/v3 $ETCD_VERSION

tool go.etcd.io/etcd/server/v3
EOF
    t=$SECONDS
    run etcd-tidy "$GO" -C "$d" mod tidy
    log "etcd: modules resolved in $(dur $((SECONDS - t)))"
    t=$SECONDS
    run etcd-build "$GO" -C "$d" build -trimpath -ldflags '-s -w' -o "$BIN/.etcd.tmp" go.etcd.io/etcd/server/v3
    mv -f "$BIN/.etcd.tmp" "$BIN/etcd"
    log "built $BIN/etcd in $(dur $((SECONDS - t)))"
  fi

  kube_todo=()
  for c in "${todo[@]}"; do [ "$c" = etcd ] || kube_todo+=("$c"); done
  if [ "${#kube_todo[@]}" -gt 0 ]; then
    # k8s.io/kubernetes replaces its staging modules with ./staging/src/k8s.io/*, which only works inside its own
    # tree: pin each one to its published v0.X.Y instead.
    d="$SRC/kubernetes"
    rm -rf "$d"; mkdir -p "$d"
    run kubernetes-download "$GO" mod download -json "k8s.io/kubernetes@$KUBE_VERSION"
    kmod=$(json_field "$LOGS/kubernetes-download.log" GoMod)
    kinfo=$(json_field "$LOGS/kubernetes-download.log" Info)
    kube_go=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$kmod")
    mapfile -t staging < <(sed -n 's#^[[:space:]]*\(replace[[:space:]]\{1,\}\)\{0,1\}\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\2#p' "$kmod")
    [ "${#staging[@]}" -gt 0 ] || { log "FAILED: found no './staging' replace directives in $kmod"; exit 1; }
    {
      echo "module fairway.local/k8s-binaries/kubernetes"
      echo
      echo "go ${kube_go:-1.24.0}"
      echo
      echo "require k8s.io/kubernetes $KUBE_VERSION"
      echo
      echo "replace ("
      for m in "${staging[@]}"; do echo "	$m => $m $STAGING_VERSION"; done
      echo ")"
      echo
      for c in "${kube_cmds[@]}"; do echo "tool k8s.io/kubernetes/cmd/$c"; done
    } >"$d/go.mod"
    log "kubernetes: pinned ${#staging[@]} staging modules to $STAGING_VERSION"
    t=$SECONDS
    run kubernetes-tidy "$GO" -C "$d" mod tidy
    log "kubernetes: modules resolved in $(dur $((SECONDS - t)))"

    # What kubernetes' hack/lib/version.sh sets; buildDate is the release's date so rebuilds are identical.
    minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
    build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$kinfo")
    ldflags="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
      ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=${build_date:-1970-01-01T00:00:00Z}"
    done
    for c in "${kube_todo[@]}"; do
      t=$SECONDS
      run "$c-build" "$GO" -C "$d" build -trimpath -ldflags "$ldflags" -o "$BIN/.$c.tmp" "k8s.io/kubernetes/cmd/$c"
      mv -f "$BIN/.$c.tmp" "$BIN/$c"
      log "built $BIN/$c in $(dur $((SECONDS - t)))"
    done
  fi

  kb_after=$(du -sk "$modcache/cache/download" 2>/dev/null | cut -f1 || echo 0)
  log "done in $(dur $((SECONDS - started))); the module cache grew by $(((kb_after - kb_before) / 1024)) MB"
fi

echo "$BIN/etcd"
echo "$BIN/kube-apiserver"
echo "$BIN/kube-scheduler"
if $kubectl_wanted; then echo "$BIN/kubectl"; else echo /usr/bin/kubectl; fi
