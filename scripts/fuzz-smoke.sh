#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) and runs each briefly on an empty
# corpus; a crash fails. Skipped (exit 0, with a message) when clang or libFuzzer is not installed.
# Longer runs: FUZZ_SECONDS=600 bash scripts/fuzz-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-10}
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz-smoke: clang++ or libFuzzer (libclang-rt-14-dev) not installed: skipped"
  exit 0
fi
out=${FUZZ_OUT:-build/fuzz}
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -DFMT_SHARED)
libs=(-lfmt -lboost_iostreams)
spec=(model/spec/*.cpp)
traces=(traces/*.cpp model/io/*.cpp)
# The importers build their platform with the tables types and decode IRTEs, descriptors with model/spec.
importers=(traces/import/*.cpp "${traces[@]}" tables/platform_json.cpp tables/json_input.cpp tables/text_parse.cpp model/spec/*.cpp)
io=(model/io/*.cpp)
tables=(model/memory/physical_memory.cpp tables/*.cpp tables/check/*.cpp "${io[@]}")
build() {  # name, sources...
  local name=$1; shift
  echo "== fuzz-smoke: building $name"
  clang++ "${flags[@]}" "$@" "${libs[@]}" -o "$out/$name"
}
# Two builds at a time (CI machines have 2 cores).
build fuzz_text_reader traces/fuzz/fuzz_text_reader.cc "${traces[@]}" &
build fuzz_binary_reader traces/fuzz/fuzz_binary_reader.cc "${traces[@]}"
wait $!
build fuzz_platform tables/fuzz/fuzz_platform.cc "${tables[@]}" "${spec[@]}" &
build fuzz_check tables/fuzz/fuzz_check.cc "${tables[@]}" "${spec[@]}"
wait $!
build fuzz_page_file apps/vtdsim/fuzz/fuzz_page_file.cc apps/vtdsim/page_file.cpp model/memory/physical_memory.cpp "${io[@]}" &
build fuzz_registers apps/vtdsim/fuzz/fuzz_registers.cc apps/vtdsim/register_json.cpp tables/json_input.cpp "${io[@]}"
wait $!
build fuzz_qemu_import traces/fuzz/fuzz_qemu_import.cc "${importers[@]}" &
build fuzz_linux_import traces/fuzz/fuzz_linux_import.cc "${importers[@]}"
wait $!
build fuzz_config apps/replay/fuzz/fuzz_config.cc apps/replay/sim_config.cpp tables/json_input.cpp model/core/cache/cache_config.cpp \
  model/timing/timing_presets.cpp model/timing/pcie_link.cpp "${traces[@]}"
for name in fuzz_text_reader fuzz_binary_reader fuzz_qemu_import fuzz_linux_import fuzz_platform fuzz_check fuzz_page_file fuzz_registers fuzz_config; do
  corpus=$(mktemp -d)
  echo "== fuzz-smoke: $name for ${seconds}s"
  ASAN_OPTIONS=detect_leaks=1 "$out/$name" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=0 \
    "$corpus" > "$out/$name.log" 2>&1 || { tail -40 "$out/$name.log"; echo "fuzz-smoke: $name FAILED"; exit 1; }
  grep -E "^#[0-9]+ +DONE" "$out/$name.log" | tail -1 || true
  rm -rf "$corpus"
done
echo "fuzz-smoke: all targets ran without a crash"
