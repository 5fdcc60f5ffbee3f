"""A small thread-safe LRU mapping bounded by the summed cost of what it holds: the caches
each web process keeps of rendered notebooks and pages."""

from __future__ import annotations

import threading
from collections import OrderedDict


class Bounded:
    """A thread-safe LRU mapping bounded by the summed ``cost`` of its values."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value, cost: int) -> None:
        if cost > self.limit:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, cost)
            self.used += cost
            while self.used > self.limit:
                _, (_, dropped) = self._items.popitem(last=False)
                self.used -= dropped

    def pop(self, key) -> None:
        """Forget ``key`` (a later ``put`` may then store a new value for it)."""
        with self._lock:
            found = self._items.pop(key, None)
            if found is not None:
                self.used -= found[1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0
