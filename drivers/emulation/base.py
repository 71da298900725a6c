"""The interface every emulator offers, so `kiosk sim`, the tests and the demo steer them alike."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any


class Emulator(ABC):
    """A device emulator speaking the real protocol through the real OS interface.

    `controls()` names the steering actions (place a card, run out of paper, go silent...);
    each takes keyword arguments that are plain JSON values, so they can be called from tests
    directly or over `kiosk sim`'s control endpoint.
    """

    name: str

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def endpoints(self) -> dict[str, Any]:
        """Where the emulator can be reached (pty path, TCP port, reader name, file...)."""

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {}

    def __enter__(self) -> "Emulator":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
