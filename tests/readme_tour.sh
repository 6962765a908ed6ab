#!/usr/bin/env bash
# Runs the README's "A short tour" block as written (with the trace shortened and the sweep narrowed, so the test
# stays fast), from an empty directory: every file the tour names must be made by an earlier line of the tour,
# and every command must succeed. Usage: readme_tour.sh VTDSIM SOURCE_DIR WORK_DIR
set -euo pipefail
exe=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
ln -s "$src/examples" examples
block=$(awk '/^## A short tour/{on=1} on&&/^```sh/{inblock=1;next} inblock&&/^```/{exit} inblock{print}' "$src/README.md")
[[ -n "$block" ]] || { echo "readme_tour: no tour block found in README.md" >&2; exit 1; }
block=${block//--dmas 1000000/--dmas 20000}
block=${block//16..4096/16..64}
block=$(printf '%s\n' "$block" | sed "s|^V=.*|V=$exe|")
printf '%s\n' "$block" > tour.sh
echo "== readme_tour: running"; cat tour.sh
bash -euo pipefail tour.sh > tour.log 2>&1 || { cat tour.log; echo "readme_tour: FAILED" >&2; exit 1; }
for f in nic-nvme.vtdt.zst platform.json stats.json sweep.csv sweep.svg tables.pages walk.html; do
  [[ -s $f ]] || { echo "readme_tour: $f was not made" >&2; exit 1; }
done
echo "readme_tour: every command of the tour ran"
