#!/usr/bin/env bash
# Checks that a change to the generator leaves its output byte-identical: generates a fixed set of workloads
# (legacy gpu, nic, nvme, mixed, all; scalable dma-api, sva, viommu, mixed, all; with --ats, --issue closed,
# deferred invalidation, a page pool, multi-page NVMe I/O, injected faults, several devices of a kind, several
# seeds; binary uncompressed, zstd and text) and keeps each trace, platform file and printed summary.
#
# Usage:
#   bash scripts/compare-gen.sh save DIR VTDSIM [DMAS]    generate every case with VTDSIM into DIR (DMAS: 200000)
#   bash scripts/compare-gen.sh check DIR VTDSIM [DMAS]   generate again into a temporary directory and `cmp`
#                                                         every file with DIR's; exit status 1 on any difference
# Typical use: `save` with the binary before a change, rebuild, `check` with the new one.
set -euo pipefail

# name|options (the name is the file stem; -o, --platform-out and --dmas are added)
cases() {
  cat <<'EOF'
L-gpu-s1|--workload gpu --seed 1 --compression none
L-gpu-s7|--workload gpu --seed 7 --compression none
L-gpu-closed-ats|--workload gpu --seed 3 --compression none --issue closed --ats gpu
L-gpu-multi|--workload gpu --seed 5 --gpu-count 3 --gpu-gbps 5 --compression none
L-gpu-zstd|--workload gpu --seed 2
L-gpu-text|--workload gpu --seed 2 --format text --compression none
L-nic-s1|--workload nic --seed 1 --compression none
L-nic-s9|--workload nic --seed 9 --compression none --ats nic
L-nic-deferred|--workload nic --seed 4 --nic-mode deferred --compression none
L-nic-pool|--workload nic --seed 4 --nic-page-pool --nic-queues 8 --compression none
L-nvme-s1|--workload nvme --seed 1 --compression none
L-nvme-16k-closed|--workload nvme --seed 11 --nvme-io 16KiB --issue closed --ats nvme --compression none
L-nvme-deferred|--workload nvme --seed 12 --nvme-mode deferred --nvme-count 2 --compression none
L-mixed-s1|--compression none
L-mixed-s1-zstd|
L-mixed-s2-faults|--seed 2 --faults 1000 --compression none
L-mixed-ats-closed|--seed 6 --ats nic,nvme --issue closed --compression none
L-mixed-text-zstd|--seed 8 --format text
L-all|--workload all --seed 13 --nic-count 2 --compression none
S-dma-api|--mode scalable --workload dma-api --seed 1 --compression none
S-dma-api-ats|--mode scalable --workload dma-api --seed 2 --ats nic,nvme --issue closed --compression none
S-sva|--mode scalable --workload sva --seed 1 --compression none
S-sva-rebind-ats|--mode scalable --workload sva --seed 3 --sva-rebind-us 200 --ats sva --issue closed --compression none
S-viommu|--mode scalable --workload viommu --seed 1 --compression none
S-viommu-ats|--mode scalable --workload viommu --seed 4 --ats nic --compression none
S-mixed|--mode scalable --workload mixed --seed 1 --compression none
S-mixed-zstd|--mode scalable --workload mixed --seed 5
S-all-faults|--mode scalable --workload all --seed 6 --faults 500 --compression none
EOF
}

generate() {  # dir, vtdsim, dmas
  local dir=$1 v=$2 dmas=$3
  mkdir -p "$dir"
  while IFS='|' read -r name opts; do
    # shellcheck disable=SC2086  # the options are words
    (cd "$dir" && "$v" gen $opts --dmas "$dmas" -o "$name.trace" --platform-out "$name.json" > "$name.summary")
  done < <(cases)
}

case "${1:-}" in
  save) generate "$(realpath -m "$2")" "$(realpath "$3")" "${4:-200000}" ;;
  check)
    before=$(realpath "$2")
    after=$(mktemp -d)
    trap 'rm -rf "$after"' EXIT
    generate "$after" "$(realpath "$3")" "${4:-200000}"
    status=0
    for f in "$before"/*; do
      if ! cmp -s "$f" "$after/$(basename "$f")"; then
        echo "differs: $(basename "$f")"
        status=1
      fi
    done
    [ "$(ls "$before" | wc -l)" = "$(ls "$after" | wc -l)" ] || { echo "file counts differ"; status=1; }
    [ $status = 0 ] && echo "identical: $(ls "$before" | wc -l) files"
    exit $status
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
