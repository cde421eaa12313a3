"""When to try the server again after a failure: capped exponential backoff with full jitter.

After the n-th failure in a row the next try waits a uniformly random time in
``[0, min(cap, base * 2 ** (n - 1))]`` ("full jitter"): laptops that lost the network together
do not all come back in the same second. A success resets it. The random source and the
clock are injected (tests drive both); nothing here sleeps — the caller asks ``delay()`` /
``ready()`` and waits its own way (a Qt timer, ``time.sleep`` in the CLI)."""
from __future__ import annotations

import random as _random
import time
from typing import Callable

BASE = 2.0  # seconds: the first retry waits up to this
CAP = 300.0  # seconds: never longer than five minutes between tries


class Backoff:
    def __init__(self, base: float = BASE, cap: float = CAP, *,
                 random: Callable[[], float] = _random.random,
                 clock: Callable[[], float] = time.monotonic):
        if not (0 < base <= cap):
            raise ValueError("backoff needs 0 < base <= cap")
        self.base, self.cap = base, cap
        self._random, self._clock = random, clock
        self.failures = 0
        self._next_at: float | None = None

    def ceiling(self) -> float:
        """The longest the next wait may be, after the failures so far (0 when none)."""
        if self.failures == 0:
            return 0.0
        # 2 ** n overflows a float past n ≈ 1024: the cap is reached long before
        return min(self.cap, self.base * 2 ** min(self.failures - 1, 64))

    def failure(self) -> float:
        """One more failure: returns the wait before the next try (and remembers when)."""
        self.failures += 1
        wait = self._random() * self.ceiling()
        self._next_at = self._clock() + wait
        return wait

    def success(self) -> None:
        self.failures = 0
        self._next_at = None

    def delay(self) -> float:
        """Seconds left before the next try may start (0: now)."""
        if self._next_at is None:
            return 0.0
        return max(0.0, self._next_at - self._clock())

    def ready(self) -> bool:
        return self.delay() == 0.0
