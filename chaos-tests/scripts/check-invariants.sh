#!/usr/bin/env bash
# Checks, on a real cluster, the invariants a chaos run checks; exit 1 with every violation listed (--help).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

SCHEDULER=fairway GRACE=60 PORT=8080 SCHEME="" REPLAY=1 FAIRWAY="" BOOTSTRAP="" TOPIC="" IMAGE=""
usage() {
  cat <<EOF
Usage: check-invariants.sh [--grace SECONDS] [--no-replay] [--fairway CMD --bootstrap HOST:PORT] [common options]

Reads the cluster (kubectl get … -o json, jq) and Fairway's log, and reports three invariants:
  1. every pod with schedulerName $SCHEDULER is bound, waits with a reason (a PodScheduled=False condition with a
     reason, or a FailedScheduling Event), has finished, or is gone; pods younger than --grace are not judged;
  2. no node's bound, unfinished pods (every scheduler's) request more cpu, memory or nvidia.com/gpu than the node's
     allocatable (a pod's request as kube-scheduler counts it: its containers plus its sidecars, or its largest
     init container if larger, plus overhead);
  3. each running replica's state hash (its /statez, read through the API server's pod proxy) equals the hash of
     a replay of the log up to the same offset: fairway replay --until OFFSET --state-hash. The replay runs in a
     one-off pod of the replicas' image (kubectl run --rm, label app.kubernetes.io/name=fairway-chaos-replay), or
     locally with --fairway CMD (then --bootstrap must reach Kafka from here).
Kafka's address and the topic come from the ConfigMap fairway-settings (deploy/base/settings.yaml).

Options:
  --scheduler-name NAME  the schedulerName of Fairway's pods (default: $SCHEDULER)
  --grace SECONDS        a pod this young may not have been seen yet, and is not judged (default: $GRACE)
  --no-replay            skip invariant 3
  --fairway CMD          run the replay here with this command (e.g. ./fairway) instead of in a pod
  --bootstrap HOST:PORT  Kafka for the replay (default: kafka.bootstrapServers of fairway-settings)
  --topic T              the topic (default: kafka.topic of fairway-settings, else fairway.events)
  --image IMAGE          the replay pod's image (default: the image the replicas run)
  --health-port PORT     the replicas' health port, for /statez (default: $PORT)
  --https                the health port serves TLS (console.tls set): the pod proxy asks it over https
$COMMON_HELP
  --dry-run reads everything and checks invariants 1 and 2; it prints the replays and runs none.
  --kafka-namespace, --kafka-cluster and --lease are accepted and not used by this script.

Exit: 0 every invariant holds; 1 a violation (each one listed); 2 a usage or cluster error.
EOF
}

while (($#)); do
  case $1 in
    --scheduler-name) SCHEDULER=$(optval "$@"); shift 2 ;;
    --grace) GRACE=$(optval "$@"); shift 2 ;;
    --no-replay) REPLAY=0; shift ;;
    --fairway) FAIRWAY=$(optval "$@"); shift 2 ;;
    --bootstrap) BOOTSTRAP=$(optval "$@"); shift 2 ;;
    --topic) TOPIC=$(optval "$@"); shift 2 ;;
    --image) IMAGE=$(optval "$@"); shift 2 ;;
    --health-port) PORT=$(optval "$@"); shift 2 ;;
    --https) SCHEME=https:; shift ;;
    *) parse_common "$@"; shift "$SHIFT" ;;
  esac
done
is_uint "$GRACE" --grace
is_uint "$PORT" --health-port

log "context ${CONTEXT:-(current)}, namespace $NAMESPACE, scheduler $SCHEDULER"
tmp=$(mktemp -d)
cleanup_tmp() { rm -rf "$tmp"; }
ON_EXIT+=(cleanup_tmp)
kread get pods --all-namespaces -o json >"$tmp/pods.json" || die "cannot list the pods: $(kerr)"
kread get nodes -o json >"$tmp/nodes.json" || die "cannot list the nodes: $(kerr)"
if ! kread get events --all-namespaces --field-selector reason=FailedScheduling -o json >"$tmp/events.json"; then
  log "warning: cannot list the FailedScheduling Events ($(kerr)); only the pods' conditions count as reasons"
  echo '{"items":[]}' >"$tmp/events.json"
fi
report=()   # lines of the report
bad=()      # the violations

# 1. Fairway's pods: bound, waiting with a reason, finished, or gone (waiting-pods.jq says how).
jq -nr -f "$here/waiting-pods.jq" --slurpfile p "$tmp/pods.json" --slurpfile e "$tmp/events.json" --arg s "$SCHEDULER" \
  --argjson grace "$GRACE" >"$tmp/pods.txt" || die "jq could not read the pods"
mapfile -t lines <"$tmp/pods.txt"
report+=("pods: ${lines[0]}")
bad+=("${lines[@]:1}")

# 2. No node's pods request more than its allocatable (node-capacity.jq says how).
jq -nr -f "$here/node-capacity.jq" --slurpfile p "$tmp/pods.json" --slurpfile n "$tmp/nodes.json" >"$tmp/nodes.txt" \
  || die "jq could not read the nodes and pods"
mapfile -t lines <"$tmp/nodes.txt"
report+=("nodes: ${lines[0]}")
bad+=("${lines[@]:1}")

# 3. Each running replica's state hash against a replay of the log to the same offset.
replay() {  # prints the state hash of the log up to offset $1
  local args=(replay --kafka "$BOOTSTRAP" --topic "$TOPIC" --until "$1" --state-hash) fw out
  if [[ -n $FAIRWAY ]]; then
    read -ra fw <<<"$FAIRWAY"
    if (( DRY_RUN )); then log "would run: $(quoted "${fw[@]}" "${args[@]}")"; return 0; fi
    log "run: $(quoted "${fw[@]}" "${args[@]}")"
    out=$("${fw[@]}" "${args[@]}" 2>"$KERR_FILE")
  else
    out=$(kchange_out run "fairway-chaos-replay-$$-$1" -n "$NAMESPACE" --image="$IMAGE" --restart=Never --rm -i --quiet \
      --pod-running-timeout=5m --labels=app.kubernetes.io/name=fairway-chaos-replay -- "${args[@]}")
  fi
  grep -Eo '^[0-9a-f]{64}$' <<<"$out" | tail -1
}
if (( REPLAY )); then
  replicas=$(fairway_pods)
  jq -r '.items[] | select(.status.phase == "Running") | .metadata.name' <<<"$replicas" >"$tmp/running"
  mapfile -t running <"$tmp/running"
  if [[ -z $BOOTSTRAP || -z $TOPIC ]]; then
    settings=$(kread get configmap fairway-settings -n "$NAMESPACE" -o json | jq -r '.data["fairway.yaml"] // ""' || true)
    setting() { sed -n "s/^ *$1: *//p" <<<"$settings" | head -1 | tr -d "\"'" | sed 's/ *#.*//'; }
    [[ -n $BOOTSTRAP ]] || BOOTSTRAP=$(setting bootstrapServers)
    [[ -n $TOPIC ]] || TOPIC=$(setting topic)
  fi
  TOPIC=${TOPIC:-fairway.events}
  [[ -n $BOOTSTRAP ]] || die "no Kafka address for the replay: ConfigMap $NAMESPACE/fairway-settings names none; give --bootstrap"
  [[ -n $IMAGE || ${#running[@]} -eq 0 ]] || IMAGE=$(jq -r --arg p "${running[0]}" '.items[]
    | select(.metadata.name == $p) | .spec.containers[0].image' <<<"$replicas")
  (( ${#running[@]} )) || bad+=("no running replica of Fairway ($APP_SELECTOR) in namespace $NAMESPACE to compare with a replay")
  declare -A hash_at=() why_not=()
  checked=()
  for r in "${running[@]}"; do
    if ! statez=$(kread get --raw "/api/v1/namespaces/$NAMESPACE/pods/$SCHEME$r:$PORT/proxy/statez"); then
      bad+=("replica $r: /statez did not answer through the API server ($(kerr)), so its state hash is not checked")
      continue
    fi
    offset=$(jq -r '.offset // empty' <<<"$statez") mine=$(jq -r '.stateHash // empty' <<<"$statez")
    [[ -n $offset && -n $mine ]] || { bad+=("replica $r: /statez has no offset and stateHash: $statez"); continue; }
    if [[ ! -v hash_at[$offset] ]]; then
      log "replaying $TOPIC to offset $offset (replica $r's)"
      hash_at[$offset]=$(replay "$offset") || why_not[$offset]="the replay failed: $(kerr)"
    fi
    theirs=${hash_at[$offset]}
    if (( DRY_RUN )); then
      checked+=("$r at offset $offset")
    elif [[ -z $theirs ]]; then
      bad+=("replica $r: no state hash from a replay to offset $offset (${why_not[$offset]:-no hash in its output})")
    elif [[ $theirs != "$mine" ]]; then
      bad+=("replica $r: state hash $mine at offset $offset, but a replay of the log to that offset gives $theirs")
    else
      checked+=("$r at offset $offset")
    fi
  done
  list=$(printf '%s, ' "${checked[@]}")
  list=${list%, }
  if (( DRY_RUN )); then report+=("replay: not run (--dry-run); it would compare ${list:-no replica}")
  else report+=("replay: the state hash equals a replay's for ${list:-no replica}"); fi
else
  report+=("replay: not checked (--no-replay)")
fi

echo "check-invariants: namespace $NAMESPACE, context ${CONTEXT:-(current)}"
printf '  %s\n' "${report[@]}"
if (( ${#bad[@]} )); then
  echo "violations (${#bad[@]}):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all invariants hold"
