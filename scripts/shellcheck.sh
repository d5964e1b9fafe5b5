# Sourced by ./test: ChaosScriptsTest (chaos-tests) runs shellcheck over chaos-tests/scripts/*.sh, and the scripts
# themselves need jq. Installs Debian's shellcheck and jq when either is missing (needs root and Debian's package
# mirror); says what to do otherwise. Can also be run on its own: bash scripts/shellcheck.sh
if ! command -v shellcheck >/dev/null || ! command -v jq >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing Debian's shellcheck and jq for the chaos scripts' tests" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck jq >/dev/null \
      || { echo "test: apt-get install shellcheck jq failed; install them, ChaosScriptsTest needs both on the PATH" >&2; exit 2; }
  else
    echo "test: ChaosScriptsTest needs shellcheck and jq on the PATH; run: sudo apt-get install shellcheck jq" >&2
    exit 2
  fi
fi
