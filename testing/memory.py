"""A process's own peak resident memory, for the tests and benchmarks that bound it.

`getrusage(RUSAGE_SELF).ru_maxrss` is no use in a child: Linux carries the high-water mark across fork and
exec, so a child started by a large pytest worker reports the worker's size. /proc's VmHWM belongs to the
process's own memory map, which exec replaces.
"""
from __future__ import annotations

import resource
from pathlib import Path

STATUS = Path("/proc/self/status")


def peak_rss_kib() -> int:
    """This process's peak resident set in KiB (VmHWM where /proc has it, else ru_maxrss)."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
