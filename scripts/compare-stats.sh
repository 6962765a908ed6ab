#!/usr/bin/env bash
# Checks that a change to the model leaves every replay result unchanged: replays one fixed trace per generator
# workload (legacy gpu, nic, nvme, mixed; scalable dma-api, sva, viommu, mixed) functionally and timed, and keeps
# the statistics JSON and the per-request CSV with the host-dependent fields removed (wall time, replay speed, the
# tool's commit). Compare two such snapshots with `diff -r`.
#
# Usage:
#   bash scripts/compare-stats.sh traces DIR VTDSIM [DMAS]   generate the traces once (DMAS per workload, 100000)
#   bash scripts/compare-stats.sh run DIR VTDSIM OUT          replay DIR's traces with VTDSIM into OUT
#   bash scripts/compare-stats.sh diff OUT_BEFORE OUT_AFTER   byte comparison, exit status 1 on any difference
# Typical use: keep a copy of the old binary, `traces` + `run` with it, rebuild, `run` with the new one, `diff`.
# The traces are generated once and reused so that a change to the generator does not show up as a difference.
set -euo pipefail

legacy_workloads="gpu nic nvme mixed"
scalable_workloads="dma-api sva viommu mixed"

make_traces() {  # dir, vtdsim, dmas
  local dir=$1 v=$2 dmas=$3
  mkdir -p "$dir"
  for w in $legacy_workloads; do
    "$v" gen -q --workload "$w" --dmas "$dmas" --compression none -o "$dir/L-$w.vtdt" --platform-out "$dir/L-$w.json"
  done
  for w in $scalable_workloads; do
    "$v" gen -q --mode scalable --workload "$w" --dmas "$dmas" --compression none \
      -o "$dir/S-$w.vtdt" --platform-out "$dir/S-$w.json"
  done
}

# Drops the lines whose value depends on the host, not on the model.
strip_host_fields() {  # in, out
  grep -v -E '"(sim\.wall_seconds|sim\.requests_per_second|tool_version)"' "$1" > "$2"
}

run_all() {  # dir, vtdsim, out
  local dir=$1 v=$2 out=$3
  mkdir -p "$out"
  for t in "$dir"/*.vtdt; do
    local name
    name=$(basename "$t" .vtdt)
    for mode in functional timed; do
      local flag=()
      [ "$mode" = functional ] && flag=(--functional)
      # Relative paths so that the JSON's "platform" and "trace" fields do not depend on DIR.
      (cd "$dir" && "$v" replay -q "${flag[@]}" --platform "$name.json" --trace "$name.vtdt" \
        --stats-json "$out/$name.$mode.raw.json" --per-request "$out/$name.$mode.csv")
      strip_host_fields "$out/$name.$mode.raw.json" "$out/$name.$mode.json"
      rm "$out/$name.$mode.raw.json"
    done
  done
}

case "${1:-}" in
  traces) make_traces "$2" "$(realpath "$3")" "${4:-100000}" ;;
  run) run_all "$(realpath "$2")" "$(realpath "$3")" "$(realpath -m "$4")" ;;
  diff)
    if diff -r "$2" "$3" > /dev/null; then
      echo "identical: $(ls "$2" | wc -l) files"
    else
      diff -r "$2" "$3" | head -40
      exit 1
    fi
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
