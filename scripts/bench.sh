#!/usr/bin/env bash
# Speed and memory measurements behind docs/performance.md (not part of the tests: timings depend on the machine).
# Usage: bash scripts/bench.sh [WORKDIR]   (needs the release build: cmake --preset release && cmake --build --preset release)
set -euo pipefail
cd "$(dirname "$0")/.."
V=$PWD/build/release/apps/vtdsim/vtdsim
B=$PWD/build/release/bench/vtdsim_bench
S=$PWD/build/release/bench/vtdsim_scan
W=${1:-/tmp/vtdsim-bench}
mkdir -p "$W"
measure() {  # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$W/time.txt" "$@" > "$W/out.txt"
  read -r secs kb < "$W/time.txt"
  printf '%-52s %8.2f s %9d KB\n' "$label" "$secs" "$kb"
}
# Best of 3 (wall and user seconds, peak KB) for the issue-16 rows: the machine is shared, one run is noise.
best3() {  # label, command...
  local label=$1; shift
  local best=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %U %M" -o "$W/time.txt" "$@" > "$W/out.txt"
    read -r secs user kb < "$W/time.txt"
    if [ -z "$best" ] || awk -v a="$secs" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best="$secs $user $kb"; fi
  done
  read -r secs user kb <<< "$best"
  printf '%-52s %8.2f s (user %5.2f s) %9d KB\n' "$label" "$secs" "$user" "$kb"
}
echo "== core (Google Benchmark)"
"$B" --benchmark_filter='Translate|Iotlb|Serve' 2>/dev/null | grep -E '^BM_' || true
echo "== generator"
measure "gen gpu 10M DMAs, binary, uncompressed" "$V" gen -q --workload gpu --dmas 10000000 --compression none -o "$W/gpu.vtdt" --platform-out "$W/gpu.json"
measure "gen mixed 1M DMAs (2.6M records), binary, zstd" "$V" gen -q --dmas 1000000 -o "$W/m1.vtdt" --platform-out "$W/m1.json"
measure "gen mixed 10M DMAs (25.8M records), binary, zstd" "$V" gen -q --dmas 10000000 -o "$W/m10.vtdt" --platform-out "$W/m10.json"
echo "== replay"
measure "replay --functional gpu 10M (IOTLB hits)" "$V" replay -q --functional --platform "$W/gpu.json" --trace "$W/gpu.vtdt"
measure "replay timed gpu 10M" "$V" replay -q --platform "$W/gpu.json" --trace "$W/gpu.vtdt"
measure "replay --functional mixed 1M DMAs" "$V" replay -q --functional --platform "$W/m1.json" --trace "$W/m1.vtdt"
measure "replay --functional mixed 10M DMAs" "$V" replay -q --functional --platform "$W/m10.json" --trace "$W/m10.vtdt"
measure "replay timed mixed 1M DMAs" "$V" replay -q --platform "$W/m1.json" --trace "$W/m1.vtdt"
measure "replay timed mixed 10M DMAs" "$V" replay -q --platform "$W/m10.json" --trace "$W/m10.vtdt"
echo "== issue 16: the replay loop and the reader (GPU trace, 10 M DMAs; best of 3)"
best3 "scan: mmap, touch every record" "$S" map "$W/gpu.vtdt"
best3 "scan: mmap, pages released every 8 MiB" "$S" map-release "$W/gpu.vtdt"
best3 "scan: pread into a 128 KiB buffer" "$S" pread "$W/gpu.vtdt"
best3 "scan: trace_reader blocks (decode + checks)" "$S" reader "$W/gpu.vtdt"
best3 "scan: trace_reader blocks + fingerprint" "$S" observed "$W/gpu.vtdt"
best3 "replay --functional gpu 10M (whole process)" "$V" replay -q --functional --platform "$W/gpu.json" --trace "$W/gpu.vtdt"
best3 "replay timed gpu 10M (whole process)" "$V" replay -q --platform "$W/gpu.json" --trace "$W/gpu.vtdt"
echo "== issue 16: peak resident size, 10^7 vs 10^8 records (GPU, functional; the 10^8 trace is 3.2 GB)"
measure "gen gpu 100M DMAs, binary, uncompressed" "$V" gen -q --workload gpu --dmas 100000000 --compression none -o "$W/gpu100.vtdt" --platform-out "$W/gpu100.json"
measure "replay --functional gpu 10M: peak RSS" "$V" replay -q --functional --platform "$W/gpu.json" --trace "$W/gpu.vtdt"
measure "replay --functional gpu 100M: peak RSS" "$V" replay -q --functional --platform "$W/gpu100.json" --trace "$W/gpu100.vtdt"
rm -f "$W/gpu100.vtdt"
echo "== scalable mode (issue 12): one trace per workload, 1M DMAs each"
for w in dma-api sva viommu mixed; do
  measure "gen --mode scalable $w 1M DMAs, uncompressed" "$V" gen -q --mode scalable --workload "$w" --dmas 1000000 --compression none -o "$W/sm-$w.vtdt" --platform-out "$W/sm-$w.json"
  measure "replay --functional scalable $w 1M DMAs" "$V" replay -q --functional --platform "$W/sm-$w.json" --trace "$W/sm-$w.vtdt"
  measure "replay timed scalable $w 1M DMAs" "$V" replay -q --platform "$W/sm-$w.json" --trace "$W/sm-$w.vtdt"
done
echo "== issue 16: several remapping units (the same trace on one unit, on two units sequentially, on two threads)"
# Two devices of a kind, one per unit (gen --units 2 places device k under unit k mod 2); the trace is the same
# with or without --units. Functional: threads; timed: a process per unit.
for w in nic gpu; do
  dmas=4000000
  [ "$w" = gpu ] && dmas=20000000
  measure "gen $w x2 ($dmas DMAs), uncompressed" "$V" gen -q --workload "$w" --"$w"-count 2 --dmas "$dmas" --compression none -o "$W/$w-x2.vtdt" --platform-out "$W/$w-x2-1u.json"
  "$V" gen -q --workload "$w" --"$w"-count 2 --dmas "$dmas" --compression none --units 2 -o /dev/null --platform-out "$W/$w-x2-2u.json"
  best3 "replay --functional $w x2: one unit" "$V" replay -q --functional --platform "$W/$w-x2-1u.json" --trace "$W/$w-x2.vtdt"
  best3 "replay --functional $w x2: two units, --threads 1" "$V" replay -q --functional --threads 1 --platform "$W/$w-x2-2u.json" --trace "$W/$w-x2.vtdt"
  best3 "replay --functional $w x2: two units, --threads 2" "$V" replay -q --functional --threads 2 --platform "$W/$w-x2-2u.json" --trace "$W/$w-x2.vtdt"
  best3 "replay timed $w x2: one unit" "$V" replay -q --platform "$W/$w-x2-1u.json" --trace "$W/$w-x2.vtdt"
  best3 "replay timed $w x2: two units, --threads 1" "$V" replay -q --threads 1 --platform "$W/$w-x2-2u.json" --trace "$W/$w-x2.vtdt"
  best3 "replay timed $w x2: two units, --threads 2" "$V" replay -q --threads 2 --platform "$W/$w-x2-2u.json" --trace "$W/$w-x2.vtdt"
  rm -f "$W/$w-x2.vtdt"
done
