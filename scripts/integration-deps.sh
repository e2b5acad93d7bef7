#!/usr/bin/env bash
# Installs what `npm run test:integration` needs from Debian's packages, when missing:
# influxd, redis-server, mosquitto, PostgreSQL (initdb/postgres) and chromium.
# The servers are not started here: each test starts its own on 127.0.0.1 in a temporary
# directory. apt-get runs under a lock (other jobs may install at the same time).
set -euo pipefail
missing=()
command -v influxd >/dev/null 2>&1 || missing+=(influxdb)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  echo "integration deps: all present"
  exit 0
fi
echo "integration deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO flock /tmp/apt.lock apt-get update -q
$SUDO flock /tmp/apt.lock apt-get install -y -q --no-install-recommends "${missing[@]}"
# The Debian packages start their own services on the default ports; the tests use their own
# instances on free ports, so those are not needed (and not relied on).
