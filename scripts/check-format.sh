#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format (run `git ls-files '*.cpp' '*.hpp' '*.cc' | xargs clang-format -i`).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then echo "check-format: clang-format not installed: skipped"; exit 0; fi
bad=$(git ls-files '*.cpp' '*.hpp' '*.cc' | xargs clang-format --dry-run 2>&1 | grep -c "warning:" || true)
if [[ "$bad" != "0" ]]; then
  git ls-files '*.cpp' '*.hpp' '*.cc' | xargs clang-format --dry-run 2>&1 | grep "warning:" | cut -d: -f1 | sort -u
  echo "check-format: $bad places differ from .clang-format"
  exit 1
fi
