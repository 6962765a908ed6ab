#!/usr/bin/env bash
# Keeps the dependency direction: SystemC only in model/sysc and apps; the core, spec, memory, timing,
# tables and traces never include it; tables and traces never include the core's walker or caches.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
if grep -rnE '#include\s*[<"](systemc|tlm)' model/spec model/memory model/core model/device model/timing tables traces 2>/dev/null; then
  echo "layering: SystemC is only allowed in model/sysc and apps/" >&2
  fail=1
fi
if grep -rnE '#include\s*"model/(core|timing|sysc)/' model/spec model/memory traces 2>/dev/null; then
  echo "layering: spec, memory and traces must not depend on core, timing or sysc" >&2
  fail=1
fi
if grep -rnE '#include\s*"model/(timing|sysc)/' model/core model/device 2>/dev/null || grep -rnE '#include\s*"model/(core|timing|sysc)/' tables 2>/dev/null; then
  echo "layering: core, device and tables must not depend on timing or sysc" >&2
  fail=1
fi
if grep -rnE '#include\s*"(tables|traces|apps)/' model 2>/dev/null; then
  echo "layering: the model must not depend on tables, traces or the CLI" >&2
  fail=1
fi
exit $fail
