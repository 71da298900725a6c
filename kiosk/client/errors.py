"""What can go wrong talking to the platform, in the four kinds a screen or the outbox acts on.

- `PlatformUnreachable`: nothing (or nothing complete) came back; try again later.
- `RequestRefused`: the platform understood and said no (4xx); retrying the same request
  will not help, a person has to look at it.
- `ServerFault`: the platform failed (5xx); try again later.
- `ResponseMalformed`: something came back that is not what the contract promises
  (bad JSON, wrong shape, truncated, oversized); the request may or may not have taken effect.
"""

from __future__ import annotations


class PlatformError(Exception):
    """Base of every platform failure; `retryable` says whether the same request may succeed later."""

    retryable: bool = True

    def __init__(self, message: str, *, status: int | None = None, code: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = detail


class PlatformUnreachable(PlatformError):
    """Connection refused, DNS, TLS, timeout or a connection dropped mid-response."""


class ServerFault(PlatformError):
    """HTTP 5xx (or 429): the platform is there but failed or is shedding load."""

    def __init__(self, message: str, *, retry_after_s: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s


class RequestRefused(PlatformError):
    """HTTP 4xx with the platform's problem document: `code` is its machine-readable reason;
    `tries_left` what a wrong holder code leaves."""

    retryable = False

    def __init__(self, message: str, *, tries_left: int | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.tries_left = tries_left


class ResponseMalformed(PlatformError):
    """The reply broke the contract. Safe to retry only under the same idempotency key."""
