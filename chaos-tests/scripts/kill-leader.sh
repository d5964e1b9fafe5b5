#!/usr/bin/env bash
# Kills Fairway's leader pod and times the fail-over to another replica (--help says how).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

TIMEOUT=60
usage() {
  cat <<EOF
Usage: kill-leader.sh [--timeout SECONDS] [common options]

Finds Fairway's leader, the holder of the Lease NAMESPACE/LEASE (deploy/: fairway/fairway-leader), deletes its
pod with --grace-period=0 --force, waits up to --timeout seconds for another replica to hold the Lease, and prints
the fail-over time: from the delete request to the first read of the Lease that names the new holder (it is read
every 0.2 s, so the time is up to about 0.3 s late).

A forced delete takes the pod out of the API at once, but the kubelet still stops the container with SIGTERM first
and SIGKILL a short grace later (2 s on current kubelets). Fairway steps down and releases the Lease on SIGTERM when
it has the time to, so what this measures is often a graceful hand-over, not a crash. The script says which it saw:
the Lease released (or taken sooner than it could run out), or the Lease left to run out as after a crash. For a
crash without step-down see docs/chaos-real-cluster.md.

Options:
  --timeout SECONDS      how long to wait for a new holder (default: $TIMEOUT)
$COMMON_HELP
  --kafka-namespace and --kafka-cluster are accepted and not used by this script.

Exit: 0 another replica holds the Lease; 1 none did within --timeout; 2 a usage or cluster error.
EOF
}

while (($#)); do
  case $1 in
    --timeout) TIMEOUT=$(optval "$@"); shift 2 ;;
    *) parse_common "$@"; shift "$SHIFT" ;;
  esac
done
is_uint "$TIMEOUT" --timeout

log "context ${CONTEXT:-(current)}, namespace $NAMESPACE, lease $LEASE"
leader=$(leader_pod)
lease=$(lease_json)
duration=$(jq -r '.spec.leaseDurationSeconds // 2' <<<"$lease")
transitions=$(jq -r '.spec.leaseTransitions // 0' <<<"$lease")
pods=$(fairway_pods)
others=$(jq -r --arg l "$leader" '[.items[] | select(.metadata.name != $l and .metadata.deletionTimestamp == null)
  | .metadata.name] | join(" ")' <<<"$pods")
node=$(jq -r --arg l "$leader" '.items[] | select(.metadata.name == $l) | .spec.nodeName // "?"' <<<"$pods")
log "leader: pod $leader on node $node (lease $NAMESPACE/$LEASE, ${duration}s, $transitions transitions so far)"
if [[ -n $others ]]; then
  log "other replicas: $others"
else
  log "warning: no other replica runs; the Lease goes to the pod that replaces $leader once it has replayed the log"
fi

start=$(now_ms)
kchange delete pod "$leader" -n "$NAMESPACE" --grace-period=0 --force --wait=false \
  || die "cannot delete pod $NAMESPACE/$leader: $(kerr)"
if (( DRY_RUN )); then
  log "would wait up to ${TIMEOUT}s for a replica other than $leader to hold lease $NAMESPACE/$LEASE"
  echo "dry run: would kill leader pod $leader in namespace $NAMESPACE"
  exit 0
fi

log "waiting up to ${TIMEOUT}s for a replica other than $leader to hold lease $NAMESPACE/$LEASE"
released=""
while :; do
  holder=$(poll_lease_holder)
  [[ -n $holder && $holder != "$leader" && $holder != "?" ]] && break
  if [[ -z $holder && -z $released ]]; then
    released=$(secs_since "$start")
    log "the Lease was released ${released}s after the delete: $leader stepped down on SIGTERM"
  fi
  if (( $(now_ms) - start > TIMEOUT * 1000 )); then
    log "no replica other than $leader holds lease $NAMESPACE/$LEASE after ${TIMEOUT}s (holder: '${holder}')"
    log "look at: kubectl -n $NAMESPACE get pods -l $APP_SELECTOR; kubectl -n $NAMESPACE logs -l $APP_SELECTOR --tail=50"
    exit 1
  fi
  sleep 0.2
done
took_ms=$(( $(now_ms) - start ))
took=$(fmt_ms "$took_ms")
# A Lease the old leader did not release is taken once it has been seen unchanged for its duration, less the retry
# period at most (the old leader's last renewal came that much before the delete). Fairway writes the duration rounded
# up to whole seconds (its default of 700 ms as 1), so half of it is the bound below which the Lease was released.
if [[ -n $released ]] || (( took_ms < duration * 1000 / 2 )); then
  how="released by the old leader: a graceful step-down on SIGTERM"
else
  how="the Lease ran out, as after a crash"
fi
log "new leader: $holder after ${took}s; $how"
echo "fail-over: $leader -> $holder in ${took} s; $how"
