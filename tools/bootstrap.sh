#!/usr/bin/env bash
# Installs the Debian 12 packages 5-Spot builds, tests and demos with, when they are missing.
# Safe to run again: does nothing when everything is present. Needs root (or sudo) to install.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git ca-certificates
  libboost-dev libboost-system-dev libcpprest-dev nlohmann-json3-dev libsystemd-dev libspdlog-dev
  prometheus-cpp-dev libhowardhinnant-date-dev libyaml-cpp-dev libcli11-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  tzdata openssl curl dbus-daemon python3 python3-dbus python3-gi systemd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
