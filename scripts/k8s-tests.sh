# Sourced by ./test: the tests against a real etcd + kube-apiserver (JUnit tag real-apiserver) run when
# scripts/k8s-binaries.sh can build them from their Go modules (once per machine: about 9 minutes on 2 cores; cached in
# ~/.cache/fairway/k8s after). Sets k8s_test_args for Maven. FAIRWAY_REAL_APISERVER=off leaves them out.
# shellcheck shell=bash disable=SC2034,SC2154  # here comes from ./test, which reads k8s_test_args
k8s_test_args=()
if [ "${FAIRWAY_REAL_APISERVER:-on}" = off ]; then
  echo "test: FAIRWAY_REAL_APISERVER=off: the tests against a real kube-apiserver do not run" >&2
else
  k8s_started=$SECONDS
  if k8s_bins=$("$here/scripts/k8s-binaries.sh"); then
    echo "test: etcd, kube-apiserver and kube-scheduler ready in $((SECONDS - k8s_started)) s:" \
      "$(tr '\n' ' ' <<<"$k8s_bins")" >&2
    k8s_test_args=(-Dfairway.realApiserver)
    # the kubectl every test runs (io.fairway.testsupport.k8s.Kubectl): built where the machine has none
    FAIRWAY_KUBECTL=$(tail -n 1 <<<"$k8s_bins")
    export FAIRWAY_KUBECTL
  else
    echo "test: WARNING: scripts/k8s-binaries.sh could not build etcd and kube-apiserver (its output above says" \
      "why); the tests against a real kube-apiserver do NOT run" >&2
  fi
fi
