#!/usr/bin/env bash
# The README's test command: install dependencies, check layering and formatting, build the tool in release,
# build everything and run every test under AddressSanitizer + UndefinedBehaviorSanitizer (both with -Wall -Wextra
# -Werror), then the fuzz smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-layering.sh
bash scripts/check-format.sh
jobs=$(nproc)
# Release (-O2): the tool and the benchmarks, so that -O2's warnings are errors too; the tests run once, in the
# sanitizer build below (building and running them twice made CI twice as long for little more coverage).
echo "== release: configure, build the tool"
cmake --preset release >/dev/null
targets=(vtdsim)
if cmake --build --preset release --target help | grep -q '^vtdsim_bench:'; then targets+=(vtdsim_bench); fi
cmake --build --preset release -j "${jobs}" --target "${targets[@]}"
echo "== asan: configure, build, test (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "${jobs}"
ctest --preset asan -j "${jobs}"
if [[ -x scripts/fuzz-smoke.sh ]]; then bash scripts/fuzz-smoke.sh; fi
echo "== all tests passed"
