"""Fault injection (failures, latency, held calls, outage, 429s) and the request log of the simulator."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequestRecord:
    """One request the simulator answered; the token value itself is never kept."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int
    at: float
    token_present: bool = False


@dataclass
class FailRule:
    """Answer the next `remaining` matching requests with `status` and `body`."""

    remaining: int
    status: int
    body: Any
    path_contains: str | None


@dataclass
class Hold:
    """Matching requests wait here until the test releases them (or `timeout` passes, so none hangs forever)."""

    path_contains: str | None
    method: str | None
    timeout: float
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, path: str) -> bool:
        return not self.released.is_set() and _matches(self.path_contains, path) \
            and (self.method is None or self.method == method)

    def wait_arrived(self, timeout: float = 5.0) -> bool:
        """True once a matching request is being held."""
        return self.arrived.wait(timeout)

    def release(self) -> None:
        """Let every held request (and later ones) through."""
        self.released.set()


class Faults:
    """Fault settings; checked before authentication, in the order latency, down, failures, 429."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Clear every injected fault (held requests are let through)."""
        with self._lock:
            for hold in getattr(self, "holds", []):
                hold.release()
            self.holds: list[Hold] = []
            self.down = False
            self.latency = 0.0
            self.latency_path: str | None = None
            self.rules: list[FailRule] = []
            self.rate_limited = 0

    def fail_next(self, n: int, status: int = 500, body: Any = None,
                  path_contains: str | None = None) -> None:
        """Fail the next `n` requests (whose path contains `path_contains`, when given)."""
        with self._lock:
            self.rules.append(FailRule(n, status, body, path_contains))

    def set_latency(self, seconds: float, path_contains: str | None = None) -> None:
        """Delay matching requests by `seconds` of real time (0 turns it off)."""
        with self._lock:
            self.latency, self.latency_path = float(seconds), path_contains

    def set_down(self, down: bool = True) -> None:
        """Answer everything with 503 until turned off."""
        with self._lock:
            self.down = bool(down)

    def rate_limit_next(self, n: int) -> None:
        """Answer the next `n` requests with Rack::Attack's 429."""
        with self._lock:
            self.rate_limited += n

    def hold(self, path_contains: str | None = None, method: str | None = None, timeout: float = 30.0) -> Hold:
        """Hold matching requests until `release()` on the returned object: a Chatwoot that hangs mid-call."""
        hold = Hold(path_contains, method, timeout)
        with self._lock:
            self.holds.append(hold)
        return hold

    def wait_if_held(self, method: str, path: str) -> None:
        """Block this request while a hold matches it."""
        with self._lock:
            hold = next((h for h in self.holds if h.matches(method, path)), None)
        if hold is not None:
            hold.arrived.set()
            hold.released.wait(hold.timeout)

    def latency_for(self, path: str) -> float:
        """Seconds to wait before handling this path."""
        with self._lock:
            return self.latency if _matches(self.latency_path, path) else 0.0

    def take_failure(self, path: str) -> FailRule | None:
        """Consume one injected failure matching the path."""
        with self._lock:
            rule = next((r for r in self.rules if r.remaining > 0 and _matches(r.path_contains, path)), None)
            if rule is not None:
                rule.remaining -= 1
            self.rules = [r for r in self.rules if r.remaining > 0]
            return rule

    def take_rate_limit(self) -> bool:
        """Consume one injected 429."""
        with self._lock:
            if self.rate_limited <= 0:
                return False
            self.rate_limited -= 1
            return True


def _matches(fragment: str | None, path: str) -> bool:
    """A missing fragment matches every path."""
    return fragment is None or fragment in path
