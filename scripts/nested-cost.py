#!/usr/bin/env python3
"""The cost of nested translation against single-stage translation for the same workload.

Generates one scalable-mode workload (Linux DMA API: NICs and NVMe controllers, same seed, same traffic) three
times, with the devices' domains first-stage, second-stage and nested (a vIOMMU guest's first stage over the
host's second stage), replays each timed over a range of IOTLB sizes, and writes a CSV and an SVG figure of
the mean DMA read latency and of the memory reads per DMA (docs/timing.md, "Nested translation").

usage: scripts/nested-cost.py VTDSIM OUTDIR [--dmas N] [--sizes 16,64,...]
"""
import argparse
import csv
import json
import os
import subprocess
import sys

STAGES = ["first", "second", "nested"]
COLOURS = {"first": "#1f77b4", "second": "#2ca02c", "nested": "#d62728"}


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def measure(vtdsim, outdir, dmas, sizes):
    rows = []
    for stage in STAGES:
        trace = os.path.join(outdir, f"nested-cost-{stage}.vtrace")
        platform = os.path.join(outdir, f"nested-cost-{stage}.json")
        run([vtdsim, "gen", "--mode", "scalable", "--workload", "dma-api", "--gpu-count", "0", "--nic-stage",
             stage, "--nvme-stage", stage, "--dmas", str(dmas), "--seed", "7", "-o", trace, "--platform-out",
             platform, "--compression", "none", "-q"])
        for size in sizes:
            stats = os.path.join(outdir, f"nested-cost-{stage}-{size}.json")
            run([vtdsim, "replay", "--platform", platform, "--trace", trace, "--set", f"iotlb.entries={size}",
                 "--stats-json", stats, "-q", "--no-progress"])
            with open(stats) as f:
                s = json.load(f)["stats"]
            value = lambda name: s[name]["value"] if isinstance(s[name], dict) else s[name]
            rows.append({"stage": stage, "iotlb_entries": size,
                         "dma_read_latency_mean_ns": value("latency.dma_read.mean"),
                         "dma_read_latency_p99_ns": value("latency.dma_read.p99"),
                         "memory_reads_per_dma": value("iommu_mrds.per_request"),
                         "iotlb_hit_rate": value("iotlb.hit_rate")})
    return rows


def panel(rows, key, label, x0, y0, w, h, sizes):
    """One line plot: one series per stage against the IOTLB size (log scale)."""
    import math
    out = []
    raw = max(r[key] for r in rows) * 1.05 / 5 or 1  # five grid steps of a 1/2/5 multiple
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    ymax = 5 * step
    lx = lambda v: x0 + (math.log2(v) - math.log2(sizes[0])) / (math.log2(sizes[-1]) - math.log2(sizes[0])) * w
    ly = lambda v: y0 + h - v / ymax * h
    out.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#333"/>')
    for i in range(6):
        v = ymax * i / 5
        out.append(f'<line x1="{x0}" y1="{ly(v):.1f}" x2="{x0 + w}" y2="{ly(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 - 6}" y="{ly(v) + 4:.1f}" text-anchor="end">{v:.4g}</text>')
    for sz in sizes:
        out.append(f'<text x="{lx(sz):.1f}" y="{y0 + h + 16}" text-anchor="middle">{sz}</text>')
    out.append(f'<text x="{x0 + w / 2}" y="{y0 + h + 36}" text-anchor="middle">IOTLB entries (log scale)</text>')
    out.append(f'<text transform="translate({x0 - 52},{y0 + h / 2}) rotate(-90)" text-anchor="middle">'
               f'{label}</text>')
    for stage in STAGES:
        pts = [(lx(r["iotlb_entries"]), ly(r[key])) for r in rows if r["stage"] == stage]
        dash = ' stroke-dasharray="6,4"' if stage == "second" else ""  # first and second may coincide
        out.append(f'<polyline fill="none" stroke="{COLOURS[stage]}" stroke-width="2"{dash} points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        for x, y in pts:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOURS[stage]}"/>')
    return out


def svg(rows, sizes, caption):
    width, height = 980, 420
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
             '<rect width="100%" height="100%" fill="white"/>',
             f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="15">Nested against single-stage '
             'translation, same DMA API workload</text>']
    parts += panel(rows, "dma_read_latency_mean_ns", "mean DMA read latency (ns)", 90, 50, 360, 290, sizes)
    parts += panel(rows, "memory_reads_per_dma", "memory reads per DMA", 580, 50, 360, 290, sizes)
    for i, stage in enumerate(STAGES):
        x = 300 + i * 140
        parts.append(f'<line x1="{x}" y1="{height - 22}" x2="{x + 24}" y2="{height - 22}" '
                     f'stroke="{COLOURS[stage]}" stroke-width="3"/>')
        parts.append(f'<text x="{x + 30}" y="{height - 18}">{stage}</text>')
    parts.append(f'<text x="{width / 2}" y="{height - 4}" text-anchor="middle" font-size="10" fill="#555">'
                 f'{caption}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vtdsim")
    ap.add_argument("outdir")
    ap.add_argument("--dmas", type=int, default=200000)
    ap.add_argument("--sizes", default="16,32,64,128,256,512,1024")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    os.makedirs(a.outdir, exist_ok=True)
    rows = measure(a.vtdsim, a.outdir, a.dmas, sizes)
    csv_path = os.path.join(a.outdir, "nested-cost.csv")
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    svg_path = os.path.join(a.outdir, "nested-cost.svg")
    caption = (f"vtdsim gen --mode scalable --workload dma-api --gpu-count 0 --dmas {a.dmas} --seed 7; "
               "replay timed, preset server, iotlb.entries varied")
    with open(svg_path, "w") as f:
        f.write(svg(rows, sizes, caption))
    print(csv_path)
    print(svg_path)


if __name__ == "__main__":
    sys.exit(main())
