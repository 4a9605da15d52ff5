#!/usr/bin/env python3
"""Keep regressions/<target>/ small enough to commit: the smallest inputs first, each at most
MAX_FILE bytes, until the folder holds BUDGET bytes. Small inputs are the fuzzer's own mutations,
replay fast in CI, and carry little of the real samples they started from."""
import pathlib
import sys

MAX_FILE = 16 * 1024
BUDGET = 700 * 1024

for folder in map(pathlib.Path, sys.argv[1:]):
    files = sorted(folder.iterdir(), key=lambda p: (p.stat().st_size, p.name))
    total = 0
    kept = 0
    for path in files:
        size = path.stat().st_size
        if size <= MAX_FILE and total + size <= BUDGET:
            total += size
            kept += 1
        else:
            path.unlink()
    print(f"{folder.name}: kept {kept} of {len(files)} inputs, {total} bytes")
