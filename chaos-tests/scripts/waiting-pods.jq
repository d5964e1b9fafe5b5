# check-invariants.sh, invariant 1: every pod of scheduler $s is bound, waits with a reason, has finished, or is gone.
# Inputs: --slurpfile p (kubectl get pods -A -o json), --slurpfile e (FailedScheduling Events), --arg s, --argjson
# grace. Prints a summary line, then one line per pod that is none of those (pods younger than $grace s not judged).
# A reason: a PodScheduled=False condition with one (Fairway sets Unschedulable with the numbers; the API server
# SchedulingGated), or a FailedScheduling Event about the pod. Events expire (1 h by default) and Fairway sends one
# only when the reason changes, so the condition is what a long wait keeps.
($e[0].items | map({key: (.involvedObject.uid // ""), value: true}) | from_entries) as $why
| [$p[0].items[] | select(.spec.schedulerName == $s)] as $ours
| "\($ours | length) pods of scheduler \($s), \($ours | map(select((.spec.nodeName // "") != "")) | length) bound",
  ($ours[]
   | select((.spec.nodeName // "") == "" and .metadata.deletionTimestamp == null
       and .status.phase != "Succeeded" and .status.phase != "Failed")
   | select((.metadata.creationTimestamp | fromdateiso8601) < now - $grace)
   | select(any(.status.conditions[]?; .type == "PodScheduled" and .status == "False" and (.reason // "") != "") | not)
   | select($why[.metadata.uid] | not)
   | "pod \(.metadata.namespace)/\(.metadata.name) is not bound and nothing says why (no PodScheduled=False reason,"
     + " no FailedScheduling Event), created \(.metadata.creationTimestamp)")
