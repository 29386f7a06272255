#!/usr/bin/env bash
# Install what building and testing uplift needs on Debian 12 (run as root).
# Does nothing for packages that are already installed.
set -euo pipefail

packages=(build-essential postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap postgresql-15-cron
          libtap-parser-sourcehandler-pgtap-perl gzip util-linux)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages (${missing[*]}); run this script as root" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The server must be the minor release the headers are from: an extension
# built against newer headers can call functions an older server lacks.
server=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || true)
headers=$(dpkg-query -W -f='${Version}' postgresql-server-dev-15 2>/dev/null || true)
if [ -n "$server" ] && [ -n "$headers" ] && [ "$server" != "$headers" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: postgresql-15 $server differs from postgresql-server-dev-15 $headers; run this script as root" >&2
        exit 1
    fi
    echo "setup: upgrading postgresql-15 $server to $headers"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "postgresql-15=$headers" "postgresql-client-15=$headers" >/dev/null
fi
