#!/usr/bin/env bash
# Cuts Fairway's leader pod off from the Kafka pods with NetworkPolicy for N seconds, then heals (--help says how).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

SECS=30 POLICY=fairway CUT=fairway-chaos-cut-from-kafka KEY=fairway.io/chaos VALUE=cut-from-kafka
usage() {
  cat <<EOF
Usage: cut-leader-from-kafka.sh [--seconds N] [--policy NAME] [common options]

Stops Fairway's leader (the Lease holder) from reaching the Kafka pods for N seconds, while it still reaches the API
server, DNS and everything else its NetworkPolicy allows, then heals; it logs the Lease holder every second meanwhile.

NetworkPolicies only allow, and add up: a policy cannot take away what deploy/base's NetworkPolicy "fairway" allows
(egress to the pods labelled strimzi.io/cluster=KAFKA_CLUSTER). So the script, in this order,
  1. labels the leader pod $KEY=$VALUE (a Deployment's pod cannot be picked by its name);
  2. applies NetworkPolicy $CUT: a copy of --policy's rules for pods with that label, less its egress rules
     to the Kafka pods (or, with no --policy found, egress to ports 443, 6443 and 53 only);
  3. narrows --policy's podSelector with "$KEY DoesNotExist", so that only $CUT applies to the leader.
At the end, and on any exit (an error, Ctrl-C, a kill that is not SIGKILL), it undoes them in reverse order; the
commands to undo them by hand are logged first.

Needs a CNI that enforces NetworkPolicy (Calico, Cilium, …; kindnet before Kubernetes 1.31 and flannel alone do
not): without one nothing is cut. Whether connections already open are cut at once depends on the CNI too: look at
the leader's log or its /readyz lag rather than assume.

Options:
  --seconds N            how long the cut lasts (default: $SECS)
  --policy NAME          Fairway's NetworkPolicy in --namespace (default: $POLICY, deploy/base's)
$COMMON_HELP

Exit: 0 cut and healed; 2 a usage or cluster error (what was changed is undone first).
EOF
}

while (($#)); do
  case $1 in
    --seconds) SECS=$(optval "$@"); shift 2 ;;
    --policy) POLICY=$(optval "$@"); shift 2 ;;
    *) parse_common "$@"; shift "$SHIFT" ;;
  esac
done
is_uint "$SECS" --seconds

log "context ${CONTEXT:-(current)}, namespace $NAMESPACE, Kafka $KAFKA_CLUSTER in namespace $KAFKA_NAMESPACE"
leader=$(leader_pod)
log "leader: pod $leader"
policies=$(kread get networkpolicies -n "$NAMESPACE" -o json) || die "cannot list NetworkPolicies in $NAMESPACE: $(kerr)"
base=$(jq --arg p "$POLICY" '[.items[] | select(.metadata.name == $p)][0] // empty' <<<"$policies")
labels=$(fairway_pods | jq -c --arg l "$leader" '.items[] | select(.metadata.name == $l) | .metadata.labels // {}')
# other policies whose matchLabels pick the leader and that allow egress (matchExpressions not looked at)
others=$(jq -r --arg p "$POLICY" --arg c "$CUT" --argjson labels "$labels" '[.items[]
  | select(.metadata.name != $p and .metadata.name != $c and (.spec.egress // [] | length > 0))
  | select(.spec.podSelector.matchLabels // {} | to_entries | all(.value == $labels[.key])) | .metadata.name]
  | join(" ")' <<<"$policies")
[[ -z $others ]] || log "warning: NetworkPolicies $others also allow the leader egress: if one lets it reach Kafka, the cut does nothing"
jq -e --arg c "$CUT" 'any(.items[]; .metadata.name == $c)' <<<"$policies" >/dev/null \
  && die "NetworkPolicy $NAMESPACE/$CUT already exists: an earlier cut was not undone; undo it first (see --help)"

# the kafka() test: an egress rule to the Strimzi pods (this namespace) or to the Kafka's namespace
# shellcheck disable=SC2016  # jq's variables, not the shell's
filter='def kafka: any(.to[]?; .podSelector.matchLabels["strimzi.io/cluster"] == $cluster
    or ($kns != $ns and .namespaceSelector.matchLabels["kubernetes.io/metadata.name"] == $kns));'
args=(--arg ns "$NAMESPACE" --arg kns "$KAFKA_NAMESPACE" --arg cluster "$KAFKA_CLUSTER" --arg key "$KEY" --arg v "$VALUE")
if [[ -n $base ]]; then
  jq -e "$filter"' any(.spec.egress[]?; kafka)' "${args[@]}" <<<"$base" >/dev/null \
    || die "NetworkPolicy $NAMESPACE/$POLICY has no egress rule to the Kafka pods (strimzi.io/cluster=$KAFKA_CLUSTER, or namespace $KAFKA_NAMESPACE): the script cannot tell which rule to leave out (--kafka-cluster, --kafka-namespace, --policy)"
  jq -e --arg key "$KEY" 'any(.spec.podSelector.matchExpressions[]?; .key == $key)' <<<"$base" >/dev/null \
    && die "NetworkPolicy $NAMESPACE/$POLICY already leaves out pods with $KEY: an earlier cut was not undone (see --help)"
  spec=$(jq -c "$filter"' .spec | .podSelector = {matchLabels: {($key): $v}} | .egress = [.egress[]? | select(kafka | not)]
    | .policyTypes = ((.policyTypes // []) + ["Egress"] | unique)' "${args[@]}" <<<"$base")
  selector=$(jq -c '.spec.podSelector' <<<"$base")
  narrowed=$(jq -c --arg key "$KEY" '.matchExpressions = (.matchExpressions // []) + [{key: $key, operator: "DoesNotExist"}]' <<<"$selector")
else
  log "warning: no NetworkPolicy $NAMESPACE/$POLICY: the leader gets egress to ports 443, 6443 (API server) and 53 only"
  spec=$(jq -nc --arg key "$KEY" --arg v "$VALUE" '{podSelector: {matchLabels: {($key): $v}}, policyTypes: ["Egress"],
    egress: [{ports: [{port: 443, protocol: "TCP"}, {port: 6443, protocol: "TCP"}]},
             {ports: [{port: 53, protocol: "UDP"}, {port: 53, protocol: "TCP"}]}]}')
fi
manifest=$(jq -nc --arg n "$CUT" --arg ns "$NAMESPACE" --argjson spec "$spec" '{apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy", metadata: {name: $n, namespace: $ns, labels: {"app.kubernetes.io/part-of": "fairway-chaos"}},
  spec: $spec}')

LABELLED=0 APPLIED=0 NARROWED=0
heal() {
  local rc=0
  (( NARROWED || APPLIED || LABELLED )) && log "undoing the cut"
  if (( NARROWED )); then
    if kchange patch networkpolicy "$POLICY" -n "$NAMESPACE" --type=json \
      -p "[{\"op\":\"replace\",\"path\":\"/spec/podSelector\",\"value\":$selector}]"; then NARROWED=0
    else rc=1; log "could not restore $POLICY's podSelector ($(kerr)): set it back to $selector"; fi
  fi
  if (( APPLIED )); then
    if kchange delete networkpolicy "$CUT" -n "$NAMESPACE" --ignore-not-found; then APPLIED=0
    else rc=1; log "could not delete NetworkPolicy $CUT: $(kerr)"; fi
  fi
  if (( LABELLED )); then
    if kchange label pod "$leader" -n "$NAMESPACE" "$KEY-"; then LABELLED=0
    else log "could not take the label off pod $leader (gone?): $(kerr)"; fi
  fi
  return "$rc"
}
ON_EXIT+=(heal)
undo="kubectl -n $NAMESPACE delete networkpolicy $CUT; kubectl -n $NAMESPACE label pod $leader $KEY-"
[[ -z $base ]] || undo="kubectl -n $NAMESPACE patch networkpolicy $POLICY --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/podSelector\",\"value\":$selector}]'; $undo"
log "to undo by hand if this script is killed with SIGKILL: $undo"

kchange label pod "$leader" -n "$NAMESPACE" "$KEY=$VALUE" --overwrite || die "cannot label pod $leader: $(kerr)"
LABELLED=1
log "NetworkPolicy $CUT: $manifest"
kchange apply -f - <<<"$manifest" || die "cannot apply NetworkPolicy $CUT: $(kerr)"
APPLIED=1
if [[ -n $base ]]; then
  kchange patch networkpolicy "$POLICY" -n "$NAMESPACE" --type=json \
    -p "[{\"op\":\"replace\",\"path\":\"/spec/podSelector\",\"value\":$narrowed}]" || die "cannot narrow $POLICY: $(kerr)"
  NARROWED=1
fi
if (( DRY_RUN )); then
  log "would keep leader $leader cut from Kafka for ${SECS}s, logging the Lease holder every second, then undo"
  LABELLED=0 APPLIED=0 NARROWED=0
  echo "dry run: would cut leader pod $leader in namespace $NAMESPACE from Kafka $KAFKA_CLUSTER for ${SECS} s"
  exit 0
fi

log "leader $leader is cut from Kafka for ${SECS}s"
start=$(now_ms) holder=$leader
while (( $(now_ms) - start < SECS * 1000 )); do
  sleep 1
  now=$(poll_lease_holder)
  [[ $now == "$holder" ]] || log "lease $NAMESPACE/$LEASE is now held by '${now}' ($(secs_since "$start")s into the cut)"
  holder=$now
done
log "healing after ${SECS}s"
heal || die "the cut was not fully undone: see above"
log "healed; lease $NAMESPACE/$LEASE is held by '$(poll_lease_holder)'"
echo "cut leader $leader from Kafka for ${SECS} s and healed; the lease is held by '$holder' at the end of the cut"
