"""Per-member rate limit on questions: embedding is the costly part and members can spam."""
from __future__ import annotations

import time


class MemberCooldown:
    def __init__(self, seconds: float, clock=time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}
        self._told: dict[int, float] = {}  # member -> the window (its start) they were told about

    def retry_after(self, user_id: int) -> float:
        """0 and the member's use is counted, or the seconds to wait (nothing counted)."""
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        self._last[user_id] = now
        if len(self._last) > 10_000:  # forget members who asked long ago
            self._last = {u: t for u, t in self._last.items() if now - t < self.seconds}
            self._told = {u: t for u, t in self._told.items() if u in self._last}
        return 0.0

    def notice_due(self, user_id: int) -> bool:
        """Whether to tell a member who is cooling down: once a window. 50 mentions in 6 s drew 49 public
        notices, which ran into the channel's send limit and held up other members' answers."""
        window = self._last.get(user_id)
        if window is None or self._told.get(user_id) == window:
            return False
        self._told[user_id] = window
        return True
