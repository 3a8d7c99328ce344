"""Run the benchmarks: `python -m bench` (all) or `python -m bench NAME ...` (see BENCHES)."""

from __future__ import annotations

import importlib
import sys

from bench.report import write

BENCHES = {
    "script": "bench.bench_script",
    "voice": "bench.bench_voice",
    "queue": "bench.bench_queue",
    "images": "bench.bench_images",
    "budget": "bench.bench_budget",
    "quality": "bench.bench_quality",
    "studio": "bench.bench_studio",
    "qa": "bench.bench_qa",
    "store": "bench.bench_store",
    "scale": "bench.bench_scale",
    "video": "bench.bench_video",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [name for name in names if name not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {list(BENCHES)}", file=sys.stderr)
        return 2
    for name in names:
        module = importlib.import_module(BENCHES[name])
        print(f"== {name}", flush=True)
        section = module.run()
        write(section)
        print(section.markdown(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
