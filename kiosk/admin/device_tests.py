"""One test per device, as staff run them from the admin screen: print a test page, read the
card on the reader, take or scan a page, read the next QR code shown.

Each test is blocking (seconds): call it from a worker, never from the UI thread. The result
is a code plus small facts staff can read (`facts`): sizes, kinds, lengths, masked numbers,
never a citizen's data in clear. A device that cannot do the test says why (`reason`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drivers.device import Device, DeviceError, DeviceEvent, EventKind
from drivers.pageprinter.samples import test_page_pdf
from drivers.printer.samples import test_page
from kiosk.logs import mask_text

QR_KINDS = ("qr_camera", "qr_serial")


@dataclass(frozen=True)
class TestResult:
    device: str
    kind: str
    ok: bool
    reason: str | None  # a stable code when not ok (paper_out, no_card, timeout, offline...)
    facts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def run_device_test(device: Device, *, terminal_name: str = "", qr_wait_s: float = 20.0,
                    timeout_s: float = 60.0) -> TestResult:
    kind = getattr(device, "kind", "device")
    test = _TESTS.get(kind)
    started = time.monotonic()
    if test is None:
        return TestResult(device.name, kind, False, "no_test")
    try:
        facts = test(device, terminal_name=terminal_name, qr_wait_s=qr_wait_s,
                     timeout_s=timeout_s)
    except DeviceError as exc:
        return TestResult(device.name, kind, False, exc.reason or "failed",
                          {"detail": mask_text(str(exc))[:200]},
                          round(time.monotonic() - started, 3))
    except TimeoutError:
        return TestResult(device.name, kind, False, "timeout",
                          seconds=round(time.monotonic() - started, 3))
    except Exception as exc:  # a driver's surprise: the type only, its message may quote data
        return TestResult(device.name, kind, False, "error", {"detail": type(exc).__name__},
                          round(time.monotonic() - started, 3))
    reason = facts.pop("_reason", None)
    return TestResult(device.name, kind, reason is None, reason, facts,
                      round(time.monotonic() - started, 3))


def _printer(device: Any, *, terminal_name: str, timeout_s: float, **_: Any) -> dict[str, Any]:
    result = device.print(test_page(terminal_name or "自助终端")).result(timeout=timeout_s)
    return {"bytes": result.bytes_sent, "confirmed_by": result.confirmed_by,
            "paper": result.paper}


def _page_printer(device: Any, *, terminal_name: str, timeout_s: float,
                  **_: Any) -> dict[str, Any]:
    result = device.print_pdf(test_page_pdf(terminal_name or "自助终端")).result(
        timeout=timeout_s)
    return {"pages": result.pages, "job": result.job_id, "confirmed_by": "impressions"}


def _idcard(device: Any, *, timeout_s: float, **_: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {"sam": device.sam_id().result(timeout=timeout_s)}
    if device.current_card is None:
        return facts | {"_reason": "no_card"}
    card = device.read_card().result(timeout=timeout_s)
    masked = card.to_dict(masked=True)
    return facts | {"card": masked.get("kind"), "number": masked.get("id_number")}


def _smartcard(device: Any, **_: Any) -> dict[str, Any]:
    card = device.card
    if card is None:
        return {"_reason": "no_card"}
    facts: dict[str, Any] = {"atr_bytes": len(card.atr), "protocol": card.protocol}
    if card.identity is not None:
        facts["number"] = card.identity.as_dict().get("id_number")  # masked
    elif card.identity_error:
        facts["identity_error"] = card.identity_error
    return facts


def _doc_camera(device: Any, *, timeout_s: float, **_: Any) -> dict[str, Any]:
    page = device.capture().result(timeout=timeout_s)
    return _page_facts(page)


def _scanner(device: Any, *, timeout_s: float, **_: Any) -> dict[str, Any]:
    pages = device.scan(pages=1).result(timeout=max(timeout_s, 120))
    if not pages:
        return {"_reason": "no_page"}
    return _page_facts(pages[0])


def _page_facts(page: Any) -> dict[str, Any]:
    width, height = page.size
    return {"size": f"{width}x{height}", "issues": [i.code for i in page.issues]}


def _qr(device: Any, *, qr_wait_s: float, **_: Any) -> dict[str, Any]:
    """The next code shown within `qr_wait_s`: its format and length (never its text)."""
    seen: list[DeviceEvent] = []
    got = threading.Event()

    def on_event(event: DeviceEvent) -> None:
        if event.kind == EventKind.CODE_SCANNED and not got.is_set():
            seen.append(event)
            got.set()

    if hasattr(device, "clear_recent"):
        device.clear_recent()  # a code still in view is reported again
    unsubscribe: Callable[[], None] = device.subscribe(on_event)
    try:
        if not got.wait(qr_wait_s):
            return {"_reason": "no_code"}
    finally:
        unsubscribe()
    data = seen[0].data
    text = data.get("text")
    facts = {"format": data.get("format"), "length": len(text) if text else 0}
    if text is None:
        facts["_reason"] = f"refused_{data.get('refused', 'unknown')}"
    return facts


_TESTS: dict[str, Callable[..., dict[str, Any]]] = {
    "printer": _printer, "page_printer": _page_printer, "idcard": _idcard, "smartcard": _smartcard,
    "doc_camera": _doc_camera, "scanner": _scanner, "qr_camera": _qr, "qr_serial": _qr,
}
TESTABLE = tuple(_TESTS)
