#!/usr/bin/env bash
# The README's test command: install dependencies, check layering, build and test in release and under
# AddressSanitizer + UndefinedBehaviorSanitizer (both with -Wall -Wextra -Werror).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-layering.sh
bash scripts/check-format.sh
jobs=$(nproc)
for preset in release asan; do
  echo "== ${preset}: configure, build, test"
  cmake --preset "${preset}" >/dev/null
  cmake --build --preset "${preset}" -j "${jobs}"
  ctest --preset "${preset}" -j "${jobs}"
done
if [[ -x scripts/fuzz-smoke.sh ]]; then bash scripts/fuzz-smoke.sh; fi
echo "== all tests passed"
