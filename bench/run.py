"""`make bench`: every bench/bench_*.py in its own process, one after another, each under a heading.

Each benchmark prints its figures beside the baseline it measured in the same run; nothing here asserts.
`bench/run.py load` runs only bench_load.py (the phones' and volunteers' real mix under wrk; PostgreSQL too when
LOAD_POSTGRES_URL is set). Arguments select benches by a part of their name.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(BENCH.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    failed = 0
    for script in scripts:
        print(f"\n== {script.stem} ==", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=BENCH.parent)
        failed += result.returncode != 0
        print(f"({script.stem} took {time.perf_counter() - started:.0f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
