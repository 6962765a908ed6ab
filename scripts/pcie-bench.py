#!/usr/bin/env python3
"""The pcie-bench DMA read experiment in vtdsim (issue 13; docs/timing.md, "The pcie-bench experiment").

pcie-bench's read test (Neugebauer et al., SIGCOMM'18) issues 64-byte DMA reads back to back at random
64-byte-aligned offsets in a window of 4 KiB pages, one device, as many outstanding as its tags allow.
For each window from 4 KiB to 64 MiB this script writes that trace (a map of the window, then reads all ready
at time 0: the closed loop issues each as soon as a tag is free), replays it twice with the "pcie-bench"
preset -- one tag (the latency test: one read at a time) and the preset's tags (the bandwidth test) -- and
writes docs/figures/pcie-bench.csv and .svg beside the published Broadwell figures.

usage: scripts/pcie-bench.py [--vtdsim BUILD/apps/vtdsim/vtdsim] [--reads N] [--out docs/figures/pcie-bench]
"""
import argparse
import json
import os
import random
import subprocess
import tempfile

KIB, MIB = 1 << 10, 1 << 20
WINDOWS = [4 * KIB << i for i in range(15)]  # 4 KiB .. 64 MiB
# Published bandwidth (Gb/s) of the 64 B read test on Broadwell with the IOMMU on, as quoted in issue 13.
PUBLISHED_GBPS = {256 * KIB: 27.6, 512 * KIB: 20.2, 1 * MIB: 14.3, 2 * MIB: 11.7, 64 * MIB: 9.84}
PUBLISHED_LATENCY_NS = {4 * KIB: 600.0, 64 * MIB: 880.0}  # median, approximate ("~600 -> ~880 ns")
PLATFORM = {
    "schema": 1,
    "iommu": {"preset": "server", "memory_size": "4GiB"},
    "domains": [{"id": 1, "address_width": 48, "mappings": []}],
    "devices": [{"bdf": "03:00.0", "name": "nic", "domain": 1}],
}
# The HPA is 4 KiB past a 2 MiB boundary, so that the table builder maps 4 KiB pages (as the benchmark's
# buffer is), never a 2 MiB superpage.
IOVA, HPA = 0x40000000, 0x80001000


def write_trace(path, window, reads, seed):
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write(f"# pcie-bench 64 B random reads over a {window} B window (closed loop: all ready at 0)\n")
        f.write(f"0 map dom=1 iova={IOVA:#x} hpa={HPA:#x} len={window} rw\n")
        for _ in range(reads):
            f.write(f"0 dma 03:00.0 read {IOVA + rng.randrange(window // 64) * 64:#x} 64\n")


def replay(vtdsim, platform, trace, warmup, extra):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([vtdsim, "replay", "--platform", platform, "--trace", trace, "--preset", "pcie-bench",
                        "--warmup", str(warmup), "--no-progress", "-q", "--stats-json", out.name] + extra,
                       check=True)
        return json.load(open(out.name))["stats"]


def svg(rows, path):
    w, h, left, right, top, bottom = 760, 420, 70, 70, 40, 60
    xs = [r["window_bytes"] for r in rows]
    import math
    lx = lambda v: left + (math.log2(v) - math.log2(xs[0])) / (math.log2(xs[-1]) - math.log2(xs[0])) * (w - left - right)
    gb_max, lat_max = 32.0, 1200.0
    ly = lambda v, m: h - bottom - v / m * (h - top - bottom)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
           f'<text x="{w/2}" y="20" text-anchor="middle" font-size="13">pcie-bench 64 B DMA reads, Broadwell + IOMMU: vtdsim vs published</text>',
           f'<line x1="{left}" y1="{h-bottom}" x2="{w-right}" y2="{h-bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h-bottom}" stroke="black"/>',
           f'<line x1="{w-right}" y1="{top}" x2="{w-right}" y2="{h-bottom}" stroke="black"/>']
    for v in xs:
        label = f"{v // MIB}M" if v >= MIB else f"{v // KIB}K"
        out.append(f'<text x="{lx(v):.1f}" y="{h-bottom+15}" text-anchor="middle">{label}</text>')
    for g in range(0, 33, 8):
        out.append(f'<text x="{left-5}" y="{ly(g, gb_max)+4:.1f}" text-anchor="end">{g}</text>')
    for l in range(0, 1201, 300):
        out.append(f'<text x="{w-right+5}" y="{ly(l, lat_max)+4:.1f}">{l}</text>')
    out.append(f'<text x="{w/2}" y="{h-20}" text-anchor="middle">window (4 KiB pages)</text>')
    out.append(f'<text x="15" y="{h/2}" transform="rotate(-90 15 {h/2})" text-anchor="middle">bandwidth (Gb/s)</text>')
    out.append(f'<text x="{w-15}" y="{h/2}" transform="rotate(90 {w-15} {h/2})" text-anchor="middle">median latency (ns)</text>')

    def line(points, m, colour, dash=""):
        d = " ".join(f"{lx(x):.1f},{ly(y, m):.1f}" for x, y in points)
        out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2" {dash}/>')
        for x, y in points:
            out.append(f'<circle cx="{lx(x):.1f}" cy="{ly(y, m):.1f}" r="3" fill="{colour}"/>')

    line([(r["window_bytes"], r["sim_gbps"]) for r in rows], gb_max, "#1f77b4")
    line(sorted(PUBLISHED_GBPS.items()), gb_max, "#1f77b4", 'stroke-dasharray="5,4"')
    line([(r["window_bytes"], r["sim_latency_p50_ns"]) for r in rows], lat_max, "#d62728")
    line(sorted(PUBLISHED_LATENCY_NS.items()), lat_max, "#d62728", 'stroke-dasharray="5,4"')
    legend = [("#1f77b4", "", "bandwidth, vtdsim"), ("#1f77b4", 'stroke-dasharray="5,4"', "bandwidth, published"),
              ("#d62728", "", "latency, vtdsim"), ("#d62728", 'stroke-dasharray="5,4"', "latency, published")]
    for i, (c, dash, text) in enumerate(legend):
        y = top + 10 + 15 * i
        out.append(f'<line x1="{w-right-200}" y1="{y}" x2="{w-right-170}" y2="{y}" stroke="{c}" stroke-width="2" {dash}/>')
        out.append(f'<text x="{w-right-165}" y="{y+4}">{text}</text>')
    out.append("</svg>")
    open(path, "w").write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--vtdsim", default=os.path.join(here, "..", "build", "release", "apps", "vtdsim", "vtdsim"))
    ap.add_argument("--reads", type=int, default=60000, help="reads per window (a third of them warm up)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(here, "..", "docs", "figures", "pcie-bench"))
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        platform = os.path.join(tmp, "platform.json")
        json.dump(PLATFORM, open(platform, "w"))
        for window in WINDOWS:
            trace = os.path.join(tmp, "trace.txt")
            write_trace(trace, window, a.reads, a.seed)
            warm = a.reads // 3  # the IOTLB and paging caches fill first, as in the benchmark's warm-up
            lat = replay(a.vtdsim, platform, trace, warm, ["--set", "device.tags=1"])
            bw = replay(a.vtdsim, platform, trace, warm, [])
            rows.append({
                "window_bytes": window,
                "sim_gbps": bw["device.nic.closed.throughput_gbps"],
                "sim_tags_mean": bw["device.nic.closed.tags_mean"],
                "sim_iotlb_hit_rate": bw["iotlb.hit_rate"],
                "sim_latency_p50_ns": lat["device.nic.closed.latency.p50"],
                "published_gbps": PUBLISHED_GBPS.get(window, ""),
                "published_latency_p50_ns": PUBLISHED_LATENCY_NS.get(window, ""),
            })
            r = rows[-1]
            print(f"{window:>10} B  {r['sim_gbps']:6.2f} Gb/s (published {r['published_gbps'] or '-'})  "
                  f"p50 {r['sim_latency_p50_ns']:6.1f} ns  IOTLB hit {r['sim_iotlb_hit_rate']:.2f}")
    with open(a.out + ".csv", "w") as f:
        keys = list(rows[0])
        f.write(",".join(keys) + "\n")
        for r in rows:
            f.write(",".join(f"{r[k]:.4g}" if isinstance(r[k], float) else str(r[k]) for k in keys) + "\n")
    svg(rows, a.out + ".svg")
    print(f"wrote {a.out}.csv and {a.out}.svg")


if __name__ == "__main__":
    main()
