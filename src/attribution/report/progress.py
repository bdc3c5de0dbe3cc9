"""How a run reports its progress: a bar on a terminal, timestamped lines otherwise."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from attribution._secrets import mask_text

__all__ = ["Progress"]


class Progress:
    """A progress bar on a terminal, plain timestamped log lines otherwise."""

    def __init__(self, total: int, *, enabled: bool | None, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar: Any = None
        self.lock = threading.Lock()
        self.start = time.perf_counter()
        if (enabled is None and tty) or enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", file=self.stream, desc="report")

    def step(self, message: str, *, advance: int = 1) -> None:
        """Report one finished step (its message masked by the credential policy)."""
        message = mask_text(message)
        with self.lock:
            if self.bar is not None:
                self.bar.set_postfix_str(message, refresh=False)
                self.bar.update(advance)
            else:
                took = time.perf_counter() - self.start
                print(f"[attribution run {took:6.1f}s] {message}", file=self.stream, flush=True)

    def grow(self, steps: int) -> None:
        """Add ``steps`` to the steps the bar expects (a run per segment has more)."""
        if self.bar is not None and steps:
            self.bar.total += steps
            self.bar.refresh()

    def close(self) -> None:
        """Close the bar (nothing to do for plain lines)."""
        if self.bar is not None:
            self.bar.close()
