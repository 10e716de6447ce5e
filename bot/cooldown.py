"""Per-member rate limit on questions: embedding is the costly part and members can spam."""
from __future__ import annotations

import time


class MemberCooldown:
    def __init__(self, seconds: float, clock=time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 and the member's use is counted, or the seconds to wait (nothing counted)."""
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        self._last[user_id] = now
        if len(self._last) > 10_000:  # forget members who asked long ago
            self._last = {u: t for u, t in self._last.items() if now - t < self.seconds}
        return 0.0
