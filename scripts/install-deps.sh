#!/usr/bin/env bash
# Installs vtdsim's build dependencies from Debian 12 packages; does nothing when they are present.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libsystemc-dev libboost-program-options-dev
  libboost-iostreams-dev nlohmann-json3-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev zstd xz-utils
  clang clang-format libclang-rt-14-dev chromium python3 parallel munge slurmctld slurmd slurm-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
