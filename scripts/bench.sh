#!/usr/bin/env bash
# Speed and memory measurements behind docs/performance.md (not part of the tests: timings depend on the machine).
# Usage: bash scripts/bench.sh [WORKDIR]   (needs the release build: cmake --preset release && cmake --build --preset release)
set -euo pipefail
cd "$(dirname "$0")/.."
V=$PWD/build/release/apps/vtdsim/vtdsim
B=$PWD/build/release/bench/vtdsim_bench
W=${1:-/tmp/vtdsim-bench}
mkdir -p "$W"
measure() {  # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$W/time.txt" "$@" > "$W/out.txt"
  read -r secs kb < "$W/time.txt"
  printf '%-52s %8.2f s %9d KB\n' "$label" "$secs" "$kb"
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
echo "== scalable mode (issue 12): one trace per workload, 1M DMAs each"
for w in dma-api sva viommu mixed; do
  measure "gen --mode scalable $w 1M DMAs, uncompressed" "$V" gen -q --mode scalable --workload "$w" --dmas 1000000 --compression none -o "$W/sm-$w.vtdt" --platform-out "$W/sm-$w.json"
  measure "replay --functional scalable $w 1M DMAs" "$V" replay -q --functional --platform "$W/sm-$w.json" --trace "$W/sm-$w.vtdt"
  measure "replay timed scalable $w 1M DMAs" "$V" replay -q --platform "$W/sm-$w.json" --trace "$W/sm-$w.vtdt"
done
