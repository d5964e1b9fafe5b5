# shellcheck shell=bash
# Sourced by the chaos scripts beside it: the common options, a log line per step (UTC), the kubectl wrappers that
# honour --dry-run and --context, and the lookups they share (the Lease holder, Fairway's pods). Defaults are
# deploy/'s: Fairway and the Strimzi Kafka `fairway-kafka` in namespace fairway, the Lease fairway/fairway-leader.
set -euo pipefail
shopt -s inherit_errexit   # set -e inside $(…) too
export LC_ALL=C   # a '.' in $EPOCHREALTIME whatever the locale

NAMESPACE=fairway          # --namespace: Fairway's Deployment, its Lease, its NetworkPolicy
KAFKA_NAMESPACE=fairway    # --kafka-namespace: the Strimzi Kafka (deploy/kafka puts it beside Fairway)
KAFKA_CLUSTER=fairway-kafka
LEASE=fairway-leader
CONTEXT=""                 # --context: empty is kubectl's current context
DRY_RUN=0
APP_SELECTOR=app.kubernetes.io/name=fairway
KERR_FILE=$(mktemp)
ON_EXIT=()
run_exit_hooks() { local h; for h in "${ON_EXIT[@]}"; do "$h" || true; done; rm -f "$KERR_FILE"; }
trap run_exit_hooks EXIT
trap 'exit 130' INT   # so that Ctrl-C runs the EXIT trap (the scripts' clean-ups) too
trap 'exit 143' TERM

(( BASH_VERSINFO[0] >= 5 )) || { echo "$0: needs bash 5 or newer (macOS: brew install bash)" >&2; exit 2; }

log() {
  local ts frac=${EPOCHREALTIME#*.}
  TZ=UTC printf -v ts '%(%Y-%m-%dT%H:%M:%S)T' "${EPOCHREALTIME%.*}"
  printf '%s.%sZ %s: %s\n' "$ts" "${frac:0:3}" "${0##*/}" "$*" >&2
}
die() { log "error: $*"; exit 2; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }
fmt_ms() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }
secs_since() { fmt_ms $(( $(now_ms) - $1 )); }
# The words, quoted for a shell where needed ('…'), to show a command that can be pasted.
quoted() {
  local a q=() sq="'\\''"
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then q+=("$a"); else q+=("'${a//\'/$sq}'"); fi
  done
  echo "${q[*]}"
}
kerr() { tr '\n' ' ' <"$KERR_FILE" | sed 's/ *$//'; }

# checked before the first kubectl call, so that --help needs neither
need_tools() {
  command -v kubectl >/dev/null || die "kubectl is not on the PATH: install it and point it at the cluster (--context)"
  command -v jq >/dev/null || die "jq is not on the PATH: install it (Debian: apt-get install jq; macOS: brew install jq)"
}

KUBECTL=(kubectl)
set_context() { KUBECTL=(kubectl); [[ -z $CONTEXT ]] || KUBECTL+=(--context "$CONTEXT"); }

# A command that only reads: run in --dry-run too (the plan needs its answer), and shown there. kubectl's stderr goes
# to $KERR_FILE for the caller's error message: `x=$(kread …) || die "what: $(kerr)"`.
kread() {
  need_tools
  (( DRY_RUN )) && log "run (reads only): $(quoted "${KUBECTL[@]}" "$@")"
  "${KUBECTL[@]}" "$@" 2>"$KERR_FILE"
}
# A command that changes the cluster: shown and not run under --dry-run. What kubectl prints ("pod … deleted") goes
# to the log's stream (stderr); kchange_out keeps it on stdout for the caller.
kchange() { kchange_out "$@" >&2; }
kchange_out() {
  need_tools
  if (( DRY_RUN )); then log "would run: $(quoted "${KUBECTL[@]}" "$@")"; return 0; fi
  log "run: $(quoted "${KUBECTL[@]}" "$@")"
  "${KUBECTL[@]}" "$@" 2>"$KERR_FILE"
}

# shellcheck disable=SC2034  # used in the --help of the scripts that source this file
COMMON_HELP="Common options:
  --namespace NS         Fairway's namespace: its pods, the Lease, its NetworkPolicy (default: fairway)
  --kafka-namespace NS   the Strimzi Kafka's namespace (default: fairway, as deploy/kafka)
  --kafka-cluster NAME   the Strimzi Kafka cluster, its pods' strimzi.io/cluster label (default: fairway-kafka)
  --lease NAME           the Lease the replicas compete for, in --namespace (default: fairway-leader)
  --context NAME         the kubeconfig context (default: kubectl's current context)
  --dry-run              print every command; run only those that read (get, and kafka-topics.sh --describe),
                         none that change anything; exit 0
  -h, --help             this text"

# Parses one common option at "$@"; sets SHIFT to the words it took. Calls usage (the script's) for --help.
# shellcheck disable=SC2034  # the variables are the calling script's
parse_common() {
  case $1 in
    --namespace|--kafka-namespace|--kafka-cluster|--lease|--context)
      [[ $# -ge 2 && -n $2 && $2 != --* ]] || die "$1 needs a value (see --help)"
      case $1 in
        --namespace) NAMESPACE=$2 ;; --kafka-namespace) KAFKA_NAMESPACE=$2 ;; --kafka-cluster) KAFKA_CLUSTER=$2 ;;
        --lease) LEASE=$2 ;; --context) CONTEXT=$2 ;;
      esac
      SHIFT=2 ;;
    --dry-run) DRY_RUN=1; SHIFT=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  set_context
}
# The value of option $1 at "$2": dies when it is missing.
optval() { [[ -n ${2:-} && $2 != --* ]] || die "$1 needs a value (see --help)"; echo "$2"; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]] || die "$2 must be a whole number, not '$1'"; }

# The Lease as JSON; lease_holder: its holder's name ("" when the lease is free: fabric8 releases it so).
lease_json() {
  kread get lease "$LEASE" -n "$NAMESPACE" -o json \
    || die "cannot read the Lease $NAMESPACE/$LEASE ($(kerr)): is Fairway running in namespace $NAMESPACE? (--namespace, --lease, --context)"
}
lease_holder() { local json; json=$(lease_json); jq -r '.spec.holderIdentity // ""' <<<"$json"; }
# The same while waiting: a read that fails for a moment prints "?" rather than ending the script.
poll_lease_holder() {
  { kread get lease "$LEASE" -n "$NAMESPACE" -o json || echo '{"spec":{"holderIdentity":"?"}}'; } \
    | jq -r '.spec.holderIdentity // ""'
}

# Fairway's pods (deploy/base's label) as a JSON list.
fairway_pods() {
  kread get pods -n "$NAMESPACE" -l "$APP_SELECTOR" -o json \
    || die "cannot list Fairway's pods ($APP_SELECTOR) in namespace $NAMESPACE: $(kerr)"
}

# The leader's pod name: the Lease holder, checked to be one of Fairway's pods now.
leader_pod() {
  local holder pods
  holder=$(lease_holder)
  [[ -n $holder ]] || die "no replica holds lease $NAMESPACE/$LEASE: is Fairway running in namespace $NAMESPACE?"
  pods=$(fairway_pods)
  jq -e --arg h "$holder" 'any(.items[]; .metadata.name == $h)' <<<"$pods" >/dev/null \
    || die "lease $NAMESPACE/$LEASE is held by '$holder', which is not a pod of Fairway's ($APP_SELECTOR) in namespace $NAMESPACE: it may have died without a successor; check: kubectl -n $NAMESPACE get pods -l $APP_SELECTOR"
  echo "$holder"
}

set_context
