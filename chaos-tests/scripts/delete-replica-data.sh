#!/usr/bin/env bash
# Deletes one Fairway replica's data (its RocksDB store and snapshots), so that it rebuilds from the log (--help).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

REPLICA="" CONTAINER=fairway TIMEOUT=900
usage() {
  cat <<EOF
Usage: delete-replica-data.sh --replica NAME|leader|follower [--timeout SECONDS] [common options]

Deletes a replica's data directory, the volume named "data" of its pod, so that the replica builds its state again
from the whole log, then waits up to --timeout seconds for it to be Ready and shows, from its log, what it
recovered from ("state recovered from scratch …" is the rebuild; "… from a peer's snapshot …" one from another
replica's snapshot, with snapshot.peers set).

  - An emptyDir (deploy/base: /var/lib/fairway): through kubectl exec, removes everything in the directory and sends
    SIGTERM to the JVM (PID 1), which steps down if it leads and exits; the kubelet restarts the container in the
    same pod, on the same, now empty, directory: the replica keeps its name. (Deleting the pod would lose the
    emptyDir too, but brings a new pod with a new name.)
  - A PersistentVolumeClaim (a StatefulSet's): deletes the claim (--wait=false: it goes once its pod is gone) and the
    pod; a StatefulSet makes both again. A Deployment's pod with a fixed claim stays Pending until you make it again.
The log must still start at offset 0 (deploy/kafka's topic keeps 14 days): on an older one a replica without data
refuses to start (docs/event-log.md), which the script reports. Do not use it there unless you mean to see that.

Options:
  --replica NAME         the replica's pod name; "leader" for the Lease holder, "follower" for another one
  --timeout SECONDS      how long to wait for it to be Ready again (default: $TIMEOUT; a long log takes a while)
$COMMON_HELP
  --kafka-namespace and --kafka-cluster are accepted and not used by this script.

Exit: 0 Ready again and rebuilt from the log; 1 not within --timeout, or it did not rebuild; 2 a usage or cluster error.
EOF
}

while (($#)); do
  case $1 in
    --replica) REPLICA=$(optval "$@"); shift 2 ;;
    --timeout) TIMEOUT=$(optval "$@"); shift 2 ;;
    *) parse_common "$@"; shift "$SHIFT" ;;
  esac
done
is_uint "$TIMEOUT" --timeout
log "context ${CONTEXT:-(current)}, namespace $NAMESPACE"
pods=$(fairway_pods)
names=$(jq -r '[.items[].metadata.name] | join(" ")' <<<"$pods")
[[ -n $REPLICA ]] || die "--replica is needed: a pod name (now: ${names:-none}), leader or follower"
case $REPLICA in
  leader) REPLICA=$(leader_pod) ;;
  follower)
    holder=$(lease_holder)
    REPLICA=$(jq -r --arg h "$holder" '[.items[] | select(.metadata.name != $h and .status.phase == "Running")
      | .metadata.name][0] // ""' <<<"$pods")
    [[ -n $REPLICA ]] || die "no running replica other than the leader '$holder' in namespace $NAMESPACE" ;;
esac
pod=$(jq --arg r "$REPLICA" '.items[] | select(.metadata.name == $r)' <<<"$pods")
[[ -n $pod ]] || die "no Fairway pod $REPLICA in namespace $NAMESPACE (its pods: ${names:-none}; is --namespace right?)"
volume=$(jq -c '.spec.volumes[]? | select(.name == "data")' <<<"$pod")
dir=$(jq -r --arg c "$CONTAINER" '.spec.containers[] | select(.name == $c) | .volumeMounts[]? | select(.name == "data")
  | .mountPath' <<<"$pod")
[[ -n $volume && -n $dir ]] || die "pod $REPLICA has no volume \"data\" mounted in container $CONTAINER (deploy/base's); cannot tell where its data is"
claim=$(jq -r '.persistentVolumeClaim.claimName // ""' <<<"$volume")
olduids=$(jq -c '[.items[].metadata.uid]' <<<"$pods")
restarts=$(jq -r --arg c "$CONTAINER" '[.status.containerStatuses[]? | select(.name == $c) | .restartCount][0] // 0' <<<"$pod")
start=$(now_ms)

if [[ -n $claim ]]; then
  log "replica $REPLICA keeps its data in PersistentVolumeClaim $claim, mounted at $dir"
  kchange delete pvc "$claim" -n "$NAMESPACE" --wait=false || die "cannot delete PVC $claim: $(kerr)"
  kchange delete pod "$REPLICA" -n "$NAMESPACE" --wait=false || die "cannot delete pod $REPLICA: $(kerr)"
  # a new pod (a StatefulSet's has the same name) that is Ready
  # shellcheck disable=SC2016  # jq's variables
  ready='[.items[] | select((.metadata.uid | IN($old[])) | not)
    | select(any(.status.conditions[]?; .type == "Ready" and .status == "True")) | .metadata.name][0] // ""'
else
  log "replica $REPLICA keeps its data in an emptyDir at $dir (container restarts so far: $restarts)"
  # shellcheck disable=SC2016  # expanded by the pod's sh
  kchange exec "$REPLICA" -n "$NAMESPACE" -c "$CONTAINER" -- sh -c 'rm -rf -- "$1"/* "$1"/.[!.]* && kill -TERM 1' sh "$dir" \
    || log "kubectl exec ended with an error ($(kerr)): expected when the container stops under it; waiting for the restart"
  # the same pod, its container restarted since, and Ready
  # shellcheck disable=SC2016  # jq's variables
  ready='[.items[] | select(.metadata.name == $r) | select([.status.containerStatuses[]? | select(.name == $c)
    | .restartCount][0] > $n) | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))
    | .metadata.name][0] // ""'
fi
if (( DRY_RUN )); then
  log "would wait up to ${TIMEOUT}s for replica $REPLICA to be Ready again, then look in its log for what it recovered from"
  echo "dry run: would delete the data of replica $REPLICA in namespace $NAMESPACE"
  exit 0
fi

log "waiting up to ${TIMEOUT}s for replica $REPLICA to be Ready again"
polls=0
while :; do
  sleep 2
  if [[ -z $claim ]] && (( ++polls % 5 == 0 )); then   # every 10 s: a replica that cannot rebuild says so, and stops
    why=$({ kread logs "$REPLICA" -n "$NAMESPACE" -c "$CONTAINER" --tail=200 || true
      kread logs "$REPLICA" -n "$NAMESPACE" -c "$CONTAINER" --tail=200 --previous || true; } \
      | grep -m1 'cannot build the state' || true)
    [[ -z $why ]] || { log "replica $REPLICA cannot rebuild from the log: $why"; exit 1; }
  fi
  now=$(kread get pods -n "$NAMESPACE" -l "$APP_SELECTOR" -o json | jq -r --argjson old "$olduids" --arg r "$REPLICA" \
    --arg c "$CONTAINER" --argjson n "$restarts" "$ready" || true)
  [[ -n $now ]] && break
  if (( $(now_ms) - start > TIMEOUT * 1000 )); then
    log "replica $REPLICA is not Ready again after ${TIMEOUT}s; look at: kubectl -n $NAMESPACE get pods -l $APP_SELECTOR"
    exit 1
  fi
done
took=$(secs_since "$start")
recovered=$(kread logs "$now" -n "$NAMESPACE" -c "$CONTAINER" | grep -m1 'state recovered from' || true)
log "replica $now is Ready after ${took}s; its log: ${recovered:-no 'state recovered from' line}"
if [[ $recovered == *"recovered from a peer's snapshot"* ]]; then
  # snapshot.peers set (deploy/base): it fetched another replica's snapshot and replayed the log after it
  echo "replica $now rebuilt its state from a peer's snapshot and the log and is Ready after ${took} s"
  exit 0
fi
if [[ $recovered != *"recovered from scratch"* ]]; then
  log "replica $now did not rebuild from the whole log (no 'state recovered from scratch' in its log)"
  exit 1
fi
echo "replica $now rebuilt its state from the log and is Ready after ${took} s"
