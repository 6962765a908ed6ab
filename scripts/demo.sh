#!/usr/bin/env bash
# The README's main job: install dependencies, build vtdsim (release), generate the default mixed workload
# and replay it, printing the statistics.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target vtdsim
exec build/release/apps/vtdsim/vtdsim demo "$@"
