"""What every measured child process shares: read the peak memory, print one JSON line.

Kept free of third-party imports: the peers' interpreters run the children too.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any


def vm_hwm_kb() -> int:
    """Peak resident memory of this process so far (kB)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1])
    return 0


def report(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def measure(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Run ``fn`` once; return its result and wall seconds."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def fail(message: str) -> None:
    print(json.dumps({"error": message}), flush=True)
    sys.exit(0)
