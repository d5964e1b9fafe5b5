# Sourced by ./fairway and ./test: sets JAVA_HOME to a JDK >= 21 (JAVA_HOME first, then the newest in /usr/lib/jvm).
# The JDK's release file says its version at no cost; asking the JVM itself (the fallback) starts one, ~0.1 s a JDK.
java_major() {
  local home v
  home="$(dirname "$(dirname "$1")")"
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    [ -n "$v" ] && { echo "$v"; return 0; }
  fi
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

find_java_home() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/*; do [ -d "$d" ] && candidates+=("$d"); done
  local best="" best_major=0 m
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] || continue
    m=$(java_major "$c/bin/java" || echo 0)
    if [ "${m:-0}" -ge 21 ] 2>/dev/null; then
      # JAVA_HOME wins when it is new enough; otherwise take the newest under /usr/lib/jvm.
      if [ "$c" = "${JAVA_HOME:-}" ]; then echo "$c"; return 0; fi
      if [ "$m" -gt "$best_major" ]; then best="$c"; best_major=$m; fi
    fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}

if ! JAVA_HOME="$(find_java_home)"; then
  echo "fairway: no JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm/*). Install one, e.g. Temurin 25, or set JAVA_HOME." >&2
  exit 2
fi
export JAVA_HOME
JAVA_MAJOR=$(java_major "$JAVA_HOME/bin/java")
# JDK 23+ warns about sun.misc.Unsafe (used by Maven and some libraries) unless told to allow it; older JDKs do not know the flag.
JAVA_FLAGS="--enable-native-access=ALL-UNNAMED"
if [ "$JAVA_MAJOR" -ge 23 ]; then
  JAVA_FLAGS="$JAVA_FLAGS --sun-misc-unsafe-memory-access=allow"
  export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
fi
