"""Peak memory of one generator run, measured in a fresh child process (shared by bench_landscape and bench_texture).

The child warms up with a small run (imports, registry and JIT caches belong to the baseline), then reports the
peak resident memory ``gamegen.run_generator`` adds (VmHWM, bytes; generation only, no export) and the bytes of the
arrays of the assets it returns.
"""

from __future__ import annotations

import json
import subprocess
import sys

__all__ = ["peak_ratio"]

PEAK_CHILD = """
import dataclasses, json, resource, sys
import numpy as np
import gamegen

def high_water():
    # VmHWM: the peak resident set of this process image. (ru_maxrss would do, but Linux carries the parent's
    # resident set at fork into it, so a child of a big benchmark process would report the parent's size.)
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

name, params, warm = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
gamegen.run_generator(name, warm)  # imports, registry and JIT caches belong to the baseline
before = high_water()
run = gamegen.run_generator(name, params)  # generation only, no export
after = high_water()

def arrays(obj):
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from arrays(item)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from arrays(getattr(obj, f.name))

final = sum(a.nbytes for a in arrays(run.assets))
print(json.dumps({"baseline": before, "added": after - before, "final": final}))
"""
"""A fresh process: the peak resident memory ``gamegen.run_generator`` adds (VmHWM, bytes) and the bytes of the
arrays of the assets it returns."""


def peak_ratio(generator: str, params: dict[str, object], warm: dict[str, object]) -> dict[str, float]:
    """:data:`PEAK_CHILD` run for one case: ``{"baseline", "added", "final"}`` in bytes."""
    cmd = [sys.executable, "-c", PEAK_CHILD, generator, json.dumps(params), json.dumps(warm)]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
