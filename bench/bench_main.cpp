// The one main() of vtdsim_bench: bench/CMakeLists.txt links benchmark::benchmark without benchmark_main.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
