#!/usr/bin/env bash
# Installs the system packages attrib builds against (LAPACKE, OpenBLAS, libcurl,
# pkg-config). Idempotent: does nothing when they are present. Needs root or sudo.
set -euo pipefail

packages=(liblapacke-dev libopenblas-dev libcurl4-openssl-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
