"""Where the explorer's taps led: a map it learns as it walks, to steer towards screens it has
not seen yet (pure logic, no Kivy: the explorer feeds it what it tapped and where it landed).

A tap is remembered by the screen it was made on and the button's kid; a route is a shortest
path of remembered taps that each led somewhere else at least once in a few tries. Taps never
made on a screen are worth trying before those that are known to lead nowhere new.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

RELIABLE = 0.25  # a tap that led to a screen once in four tries is still a way there


@dataclass
class Routes:
    tries: Counter[tuple[str, str]] = field(default_factory=Counter)
    led: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)  # screen, kid
    seen: set[str] = field(default_factory=set)  # screens any walk has been on

    def record(self, screen: str, kid: str, landed: str) -> None:
        """A tap of `kid` on `screen` was followed by `landed` (the same screen, often)."""
        self.tries[(screen, kid)] += 1
        self.led.setdefault(screen, {}).setdefault(kid, Counter())[landed] += 1

    def credit(self, screen: str, kid: str, landed: str) -> None:
        """A tap of `kid` on `screen` (recorded already) led on to `landed` through screens
        that asked for proof first (the card, the texted code): the way there it opened."""
        self.led.setdefault(screen, {}).setdefault(kid, Counter())[landed] += 1

    def untried(self, screen: str, kids: Iterable[str]) -> list[str]:
        return [k for k in kids if (screen, k) not in self.tries]

    def _exits(self, screen: str) -> Iterable[tuple[str, str]]:
        for kid, landed in self.led.get(screen, {}).items():
            tries = self.tries[(screen, kid)]
            for target, times in landed.items():
                if target != screen and times / tries >= RELIABLE:
                    yield kid, target

    def first_tap(self, screen: str, kids: Iterable[str], wanted: set[str]) -> str | None:
        """The tap (one of `kids`, those on the glass now) that starts the shortest remembered
        route from `screen` to any of `wanted`; None when no route is known."""
        if not wanted:
            return None
        here = set(kids)
        first: dict[str, str] = {}
        queue: deque[str] = deque()
        for kid, target in sorted(self._exits(screen)):
            if kid in here and target not in first:
                first[target] = kid
                queue.append(target)
        seen = {screen, *first}
        while queue:
            node = queue.popleft()
            if node in wanted:
                return first[node]
            for _kid, target in sorted(self._exits(node)):
                if target not in seen:
                    seen.add(target)
                    first[target] = first[node]
                    queue.append(target)
        return None
