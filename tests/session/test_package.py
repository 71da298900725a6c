"""kiosk.session loads each name from its module when first asked for (PEP 562)."""

from __future__ import annotations

import subprocess
import sys

import kiosk.session


def test_every_public_name_loads_from_its_module() -> None:
    assert sorted(kiosk.session.__all__) == sorted(kiosk.session._MODULE_OF)
    for name in kiosk.session.__all__:
        value = getattr(kiosk.session, name)
        assert value.__module__ == f"kiosk.session.{kiosk.session._MODULE_OF[name]}"


def test_the_end_reasons_come_without_the_card_parsers() -> None:
    """The attract loop's import, before the first frame (issue 16)."""
    probe = ("import sys; from kiosk.session import EndReason, IdleState; "
             "print(sorted(m for m in sys.modules if m.startswith(('drivers', 'cryptography'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
