# check-invariants.sh, invariant 2: no node's bound, unfinished pods (every scheduler's) request more cpu, memory or
# nvidia.com/gpu than the node's allocatable. Inputs: --slurpfile p (kubectl get pods -A -o json), --slurpfile n
# (kubectl get nodes -o json). Prints a summary line, then one line per node and resource over.

# A quantity ("500m", "4Gi", "1e3", "2") in millicores for cpu, else in whole units; rounded up as Kubernetes does.
def units($r):
  tostring | capture("^(?<v>[0-9.]+(?:[eE][-+]?[0-9]+)?)(?<s>[a-zA-Z]*)$") as $q
  | ($q.v | tonumber)
    * {"": 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
       Ki: 1024, Mi: 1048576, Gi: 1073741824, Ti: 1099511627776, Pi: 1125899906842624, Ei: 1152921504606846976}[$q.s]
    * (if $r == "cpu" then 1000 else 1 end)
  | if floor == . then . else . - 1e-6 | ceil end;   # 0.1 * 1000 is 100.00000000000001 in floating point

def req($r): [.resources.requests[$r] // "0" | units($r)] | add;

# A pod's request as kube-scheduler counts it: its containers and sidecars (restartable init containers), or its
# largest other init container if that is larger, plus the pod's overhead.
def pod($r):
  ([(.spec.containers[] | req($r)), (.spec.initContainers[]? | select(.restartPolicy == "Always") | req($r))] | add)
    as $run
  | ([.spec.initContainers[]? | select(.restartPolicy != "Always") | req($r)] | max // 0) as $init
  | ([$run, $init] | max) + (.spec.overhead[$r] // "0" | units($r));

def show($r):
  if $r == "cpu" then "\(.)m" elif $r == "memory" then "\(. / 1048576 * 10 | floor / 10)Mi" else "\(.)" end;

($p[0].items
 | map(select((.spec.nodeName // "") != "" and .status.phase != "Succeeded" and .status.phase != "Failed"))
 | group_by(.spec.nodeName) | map({key: .[0].spec.nodeName, value: .}) | from_entries) as $on
| "\($n[0].items | length) nodes, \($on | map(length) | add // 0) bound unfinished pods",
  ($n[0].items[]
   | .metadata.name as $node | .status.allocatable as $a | ($on[$node] // []) as $ps
   | ("cpu", "memory", "nvidia.com/gpu") as $r
   | ($ps | map(pod($r)) | add // 0) as $used
   | ($a[$r] // "0" | units($r)) as $cap
   | select($used > $cap)
   | "node \($node): \($r) requested \($used | show($r)) > allocatable \($cap | show($r)) (\($ps | length) pods on it)")
