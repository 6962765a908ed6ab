#!/usr/bin/env bash
# The walk page in a real headless browser (Debian's chromium): it must load, show every step of the walk and the
# result, and a screenshot is written next to the page. Exit 77 (skipped) only when chromium is not installed.
set -euo pipefail
vtdsim="$1"; source_dir="$2"; out_dir="$3"
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then echo "chromium not installed: skipped"; exit 77; fi
mkdir -p "$out_dir"
page="$out_dir/walk.html"
"$vtdsim" walk --platform "$source_dir/examples/two-devices.json" --sid 00:02.0 --iova 0x200040 --write --html "$page" > /dev/null
steps=$("$vtdsim" walk --platform "$source_dir/examples/two-devices.json" --sid 00:02.0 --iova 0x200040 --write --json |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["steps"]))')
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --user-data-dir="$profile")
dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$page" 2>/dev/null)
for i in $(seq 1 "$steps"); do
  grep -q "id=\"step-$i\"" <<< "$dom" || { echo "step $i missing from the rendered page"; exit 1; }
done
grep -q 'id="result"' <<< "$dom" || { echo "result missing from the rendered page"; exit 1; }
grep -q 'write_denied' <<< "$dom" || { echo "fault not shown"; exit 1; }
timeout 120 "$browser" "${flags[@]}" --screenshot="$out_dir/walk.png" --window-size=1100,1800 "file://$page" 2>/dev/null
[[ -s "$out_dir/walk.png" ]] || { echo "no screenshot produced"; exit 1; }

# A nested scalable-mode walk: every step, and its second-stage groups framed under their titles.
nested=(--platform "$source_dir/examples/scalable.json" --sid 00:03.0 --pasid 0x42 --iova 0x7f0000200040)
"$vtdsim" walk "${nested[@]}" --html "$out_dir/nested.html" > /dev/null
nested_steps=$("$vtdsim" walk "${nested[@]}" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["steps"]))')
dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$out_dir/nested.html" 2>/dev/null)
for i in $(seq 1 "$nested_steps"); do
  grep -q "id=\"step-$i\"" <<< "$dom" || { echo "nested walk: step $i missing from the rendered page"; exit 1; }
done
groups=$(grep -o 'class="group-title"' <<< "$dom" | wc -l)
[[ $groups -eq 5 ]] || { echo "nested walk: $groups second-stage groups rendered, 5 expected"; exit 1; }
timeout 120 "$browser" "${flags[@]}" --screenshot="$out_dir/nested.png" --window-size=1100,3000 \
  "file://$out_dir/nested.html" 2>/dev/null
echo "browser check passed: $steps steps rendered, screenshot $out_dir/walk.png;" \
     "nested walk $nested_steps steps in $groups groups, screenshot $out_dir/nested.png"
