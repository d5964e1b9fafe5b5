#!/usr/bin/env bash
# Deletes one broker pod of the Strimzi Kafka under Fairway and waits until it is Ready again (--help says how).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

BROKER="" TOPIC=fairway.events BOOTSTRAP=localhost:9092 FORCE=0 TIMEOUT=600
usage() {
  cat <<EOF
Usage: delete-kafka-broker.sh [--broker ID] [--topic T] [--force] [--timeout SECONDS] [common options]

Deletes one broker pod of the Strimzi Kafka cluster (pods labelled strimzi.io/cluster=KAFKA_CLUSTER and
strimzi.io/broker-role=true in --kafka-namespace; deploy/kafka: fairway-kafka in fairway, pods
fairway-kafka-dual-role-0..2), then waits up to --timeout seconds for Strimzi to bring it back Ready (a new pod of
the same name), and prints how long that took and the partition's replicas afterwards.

Which broker: --broker ID, else the leader of partition 0 of Fairway's topic, as kafka-topics.sh --describe says in
a Ready broker pod (run with kubectl exec, also under --dry-run: it only reads), else broker 0.

Options:
  --broker ID            the broker (node) id: the pod whose name ends in -ID (default: partition 0's leader)
  --topic T              Fairway's topic (default: $TOPIC, as deploy/base/settings.yaml)
  --bootstrap HOST:PORT  the listener kafka-topics.sh uses inside the broker pod (default: $BOOTSTRAP, the plain one)
  --force                delete with --grace-period=0 --force (the broker gets no clean shutdown); default: graceful
  --timeout SECONDS      how long to wait for the broker to be Ready again (default: $TIMEOUT)
$COMMON_HELP
  --lease is accepted and not used by this script.

Exit: 0 the broker is back and Ready; 1 it was not within --timeout; 2 a usage or cluster error.
EOF
}

while (($#)); do
  case $1 in
    --broker) BROKER=$(optval "$@"); shift 2 ;;
    --topic) TOPIC=$(optval "$@"); shift 2 ;;
    --bootstrap) BOOTSTRAP=$(optval "$@"); shift 2 ;;
    --force) FORCE=1; shift ;;
    --timeout) TIMEOUT=$(optval "$@"); shift 2 ;;
    *) parse_common "$@"; shift "$SHIFT" ;;
  esac
done
is_uint "$TIMEOUT" --timeout
[[ -z $BROKER ]] || is_uint "$BROKER" --broker

selector="strimzi.io/cluster=$KAFKA_CLUSTER,strimzi.io/broker-role=true"
log "context ${CONTEXT:-(current)}, Kafka $KAFKA_CLUSTER in namespace $KAFKA_NAMESPACE, topic $TOPIC"
brokers=$(kread get pods -n "$KAFKA_NAMESPACE" -l "$selector" -o json) \
  || die "cannot list the Kafka broker pods ($selector) in namespace $KAFKA_NAMESPACE: $(kerr)"
names=$(jq -r '[.items[].metadata.name] | join(" ")' <<<"$brokers")
[[ -n $names ]] || die "no Strimzi broker pods ($selector) in namespace $KAFKA_NAMESPACE: is the Kafka of deploy/kafka running there? (--kafka-namespace, --kafka-cluster)"
log "broker pods: $names"
pod_of() { jq -r --arg id "$1" '[.items[].metadata.name | select(endswith("-" + $id))][0] // ""' <<<"$brokers"; }

# partition 0's line of kafka-topics.sh --describe, asked in broker pod $1 ("" when that fails)
describe() {
  # a small heap and no JMX port, so that the tool's JVM does not crowd the broker in its container
  kread exec -n "$KAFKA_NAMESPACE" "$1" -c kafka -- env KAFKA_HEAP_OPTS=-Xmx256m JMX_PORT= \
    /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --describe --topic "$TOPIC" | awk '{ for (i = 1; i < NF; i++) if ($i == "Partition:" && $(i + 1) == "0") print }' \
    | tr -s ' \t' ' ' || true
}

if [[ -z $BROKER ]]; then
  asker=$(jq -r '[.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))
    | .metadata.name][0] // ""' <<<"$brokers")
  line=""
  [[ -z $asker ]] || line=$(describe "$asker")
  BROKER=$(awk '{ for (i = 1; i < NF; i++) if ($i == "Leader:") print $(i + 1) }' <<<"$line")
  if [[ $BROKER =~ ^[0-9]+$ && -n $(pod_of "$BROKER") ]]; then
    log "topic $TOPIC, partition 0: ${line#*Partition: 0 }"
    log "partition 0's leader is broker $BROKER"
  else
    log "could not find partition 0's leader (${asker:-no Ready broker pod}: $(kerr) ${line:-no describe output}); taking broker 0"
    BROKER=0
  fi
fi
pod=$(pod_of "$BROKER")
[[ -n $pod ]] || die "no broker pod for broker id $BROKER (a name ending in -$BROKER) among: $names"
uid=$(jq -r --arg p "$pod" '.items[] | select(.metadata.name == $p) | .metadata.uid' <<<"$brokers")

how=(--wait=false)
(( FORCE )) && how+=(--grace-period=0 --force)
start=$(now_ms)
kchange delete pod "$pod" -n "$KAFKA_NAMESPACE" "${how[@]}" || die "cannot delete pod $KAFKA_NAMESPACE/$pod: $(kerr)"
if (( DRY_RUN )); then
  log "would wait up to ${TIMEOUT}s for Strimzi to bring $pod back Ready"
  echo "dry run: would delete Kafka broker $BROKER (pod $pod in namespace $KAFKA_NAMESPACE)"
  exit 0
fi

log "waiting up to ${TIMEOUT}s for a new pod $pod to be Ready"
while :; do
  state=$(kread get pod "$pod" -n "$KAFKA_NAMESPACE" -o json 2>/dev/null \
    | jq -r '.metadata.uid + " " + ([.status.conditions[]? | select(.type == "Ready") | .status][0] // "")' || true)
  [[ -n $state && ${state% *} != "$uid" && ${state#* } == True ]] && break
  if (( $(now_ms) - start > TIMEOUT * 1000 )); then
    log "broker pod $pod is not back and Ready after ${TIMEOUT}s (now: ${state:-absent})"
    log "look at: kubectl -n $KAFKA_NAMESPACE describe pod $pod; kubectl -n $KAFKA_NAMESPACE get kafka $KAFKA_CLUSTER -o yaml"
    exit 1
  fi
  sleep 1
done
took=$(secs_since "$start")
log "broker $BROKER (pod $pod) is Ready again after ${took}s"
line=$(describe "$pod")
[[ -z $line ]] || log "topic $TOPIC, partition 0 now: ${line#*Partition: 0 } (a broker back in Isr has caught up)"
echo "broker $BROKER (pod $pod) deleted and Ready again after ${took} s"
