#!/usr/bin/env bash
# Re-runs every command in docs/tutorial.md with the release build and writes the outputs back.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build --preset release --target vtdsim >/dev/null
python3 scripts/tutorial.py update build/release/apps/vtdsim/vtdsim "$PWD"
