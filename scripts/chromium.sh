# Sourced by ./test: the console's browser tests drive Debian's headless Chromium through its ChromeDriver.
# Installs both when they are missing (needs root and Debian's package mirror); says what to do otherwise.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing Debian's chromium and chromium-driver for the console's browser tests" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
      || { echo "test: apt-get install chromium chromium-driver failed; install them, the browser tests need /usr/bin/chromium and /usr/bin/chromedriver" >&2; exit 2; }
  else
    echo "test: the browser tests need /usr/bin/chromium and /usr/bin/chromedriver; run: sudo apt-get install chromium chromium-driver" >&2
    exit 2
  fi
fi
