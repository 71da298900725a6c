"""SmartCardEmulator: a pcscd with vpcd's virtual reader, and the project's card to put in it.

Steering (controls()): insert_card(card={...} | path="card.json",
forged=""|"no_key"|"other_issuer", wait=2.0), insert_staff_card(staff_id, name, pin, forged,
wait), remove_card(wait=2.0), mute(enabled),
restart_pcscd(crash=False), stop_pcscd(), start_pcscd(). The card is the applet of applet.py
behind vpcd's TCP protocol (vpcd_card.py); the reader is "Virtual PCD 00 00".

The emulator is also the card issuer of the simulation (card_auth.CardIssuer): a card inserted
without a key of its own is issued one, certified by the demo issuer whose root certificate is
written to `issuer_root_file` for the terminal to trust. `forged="no_key"` inserts the same
card data without a key (what anyone who read a card can make); `forged="other_issuer"` one
certified by an issuer the terminal does not trust.

It is the simulation's staff issuer too (staff_auth.StaffIssuer, root in
`staff_issuer_root_file`): `insert_staff_card` puts a staff member's card in the reader, with
its own PIN and five tries. A staff card's retry counter lives with the emulator for as long as
it runs (keyed by card number), as it lives on the card: taking a blocked card out and putting
it back does not unblock it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from drivers.emulation.base import Emulator
from drivers.smartcard.applet import CardApplet, CardProfile
from drivers.smartcard.card_auth import CardIssuer
from drivers.smartcard.pcscd import PcscDaemon
from drivers.smartcard.staff_auth import StaffIssuer
from drivers.smartcard.vpcd_card import VirtualCard
from drivers.smartcard.watcher import reader_state

log = logging.getLogger(__name__)

READER_NAME = "Virtual PCD 00 00"
CLIENT_ENV = "PCSCLITE_CSOCK_NAME"
_PRESENT = 0x20  # SCARD_STATE_PRESENT

SAMPLE_CARD: dict[str, Any] = {
    "identity": {"id_number": "11010519491231002X", "name": "测试用户",
                 "card_number": "SSC110105000001", "expiry": "2031-06-30",
                 "issuer": "模拟人社局"},
    "protocol": "T1",
    "pin": "123456",
    "social": "account=SIM-0001;status=active",
}
# The demo staff: id -> (name, card number, PIN). A staff card's EF 0101 carries the holder's
# own (demo) resident identity; the staff certificate is what makes it a staff card.
DEMO_STAFF = {"S0001": ("王工", "STAFF0001", "314159"), "S0002": ("李工", "STAFF0002", "271828")}
STAFF_PIN_TRIES = 5
_STAFF_HOLDER_ID = "110105198001010016"


class SmartCardEmulator(Emulator):
    name = "smartcard"

    def __init__(self, run_dir: Path, *, private: bool | None = None, apdu_log: bool = False):
        """`private=None`: a pcscd of our own when possible (see PcscDaemon), whose socket the
        kiosk process is then given (`endpoints()["pcscd_socket"]`); False: the system's."""
        self.run_dir = Path(run_dir) / "smartcard"
        self.daemon = PcscDaemon(self.run_dir, private=private, apdu_log=apdu_log)
        self._card: VirtualCard | None = None
        self._lock = threading.Lock()
        self._env_before: str | None = None
        self.issuer = CardIssuer()
        self.issuer_root_file = self.run_dir / "issuer-root.pem"
        self.staff_issuer = StaffIssuer()
        self.staff_issuer_root_file = self.run_dir / "staff-issuer-root.pem"
        # (card number, PIN) -> the genuine staff card's applet, kept between insertions
        self._staff_cards: dict[tuple[str, str], CardApplet] = {}

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.issuer_root_file.write_bytes(self.issuer.root_pem)
        self.staff_issuer_root_file.write_bytes(self.staff_issuer.root_pem)
        self.daemon.start()
        if self.daemon.private:
            self._env_before = os.environ.get(CLIENT_ENV)
            self.daemon.activate_in_this_process()

    def stop(self) -> None:
        self.remove_card(wait=0)  # the daemon goes too: nothing to watch
        self.daemon.stop()
        if self.daemon.private and os.environ.get(CLIENT_ENV) == str(self.daemon.socket_path):
            # child processes started later must not inherit a dead daemon's socket
            if self._env_before is None:
                os.environ.pop(CLIENT_ENV, None)
            else:
                os.environ[CLIENT_ENV] = self._env_before

    def endpoints(self) -> dict[str, Any]:
        return {"reader": READER_NAME, "vpcd_port": self.daemon.vpcd_port,
                "pcscd_socket": str(self.daemon.socket_path),
                "pcscd_reused": self.daemon.reused,
                "issuer_root_file": str(self.issuer_root_file),
                "staff_issuer_root_file": str(self.staff_issuer_root_file), **(
                    {"env": self.daemon.client_env()} if self.daemon.private else {})}

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"insert_card": self.insert_card, "insert_staff_card": self.insert_staff_card,
                "remove_card": self.remove_card,
                "mute": self.mute, "restart_pcscd": self.restart_pcscd,
                "stop_pcscd": self.stop_pcscd, "start_pcscd": self.start_pcscd}

    # ---- controls ----------------------------------------------------------------------

    def insert_card(self, card: dict[str, Any] | None = None, path: str | None = None,
                    wait: float = 2.0, mute: bool = False, forged: str = "") -> dict[str, Any]:
        """Put a card in the reader (the sample card when neither card nor path is given) and
        wait until pcscd reports it. `mute=True`: a dead card (answers reset, never an APDU).

        vpcd quirk: after a transmit failed on a card pulled before pcscd noticed, pcscd marks
        the slot empty while vpcd's presence check keeps answering "present" for the next card,
        so that card is never announced. A real slot would see absent -> present; we make it so
        by re-inserting once when pcscd has not announced the card in time.

        `wait=0`: insert once and watch nothing from this process. pcsc-lite's client keeps the
        first daemon it reached for the life of a process, so a process that must stay bound to
        another pcscd (a test run's own) must not ask this one (the terminal's reader sees the
        card all the same).
        """
        profile = (CardProfile.from_file(path) if path else
                   CardProfile.from_dict(card if card is not None else SAMPLE_CARD))
        return self._insert(self._issued(profile, forged), wait, mute)

    def _insert(self, profile: CardProfile, wait: float, mute: bool,
                applet: CardApplet | None = None) -> dict[str, Any]:
        """`applet`: the card's state from an earlier insertion (its PIN counter)."""
        self.remove_card(wait=wait)

        def new_card() -> VirtualCard:
            card = VirtualCard(profile, port=self.daemon.vpcd_port)
            if applet is not None:
                card.applet = applet
            card.mute(mute)
            return card
        if wait <= 0:
            with self._lock:
                self._card = new_card()
                self._card.insert()
            return {"inserted": True, "seen_by_pcscd": None, "atr": profile.atr.hex().upper()}
        with self._lock:
            seen = False
            for attempt in range(2):
                before = reader_state(READER_NAME)
                self._card = new_card()
                self._card.insert()
                count_before = (before or (0, -1))[1]
                seen = self._wait_state(
                    lambda st, n=count_before: st is not None and st[0] & _PRESENT != 0
                    and st[1] != n, wait / 2)
                if seen or attempt == 1:
                    break  # the last try stays in: a process whose PC/SC client is bound to
                    # another pcscd cannot see it, but the terminal's reader can
                log.info("pcscd did not announce the virtual card; re-inserting it")
                self._card.remove()
        return {"inserted": True, "seen_by_pcscd": seen, "atr": profile.atr.hex().upper()}

    def insert_staff_card(self, staff_id: str = "S0001", name: str = "", pin: str = "",
                          forged: str = "", wait: float = 2.0) -> dict[str, Any]:
        """Put a staff member's card in the reader: certified by the staff issuer, with the
        member's PIN (a DEMO_STAFF member's, unless given). `forged`: "no_key" (the data
        without a key), "other_issuer" (certified by an issuer the terminal does not trust)."""
        if forged not in ("", "no_key", "other_issuer"):
            raise ValueError("forged is '', 'no_key' or 'other_issuer'")
        demo_name, card_number, demo_pin = DEMO_STAFF.get(
            staff_id, (staff_id, f"STAFF{staff_id.upper().replace('-', '')[:20]}", "314159"))
        card = {"identity": {"id_number": _STAFF_HOLDER_ID, "name": name or demo_name,
                             "card_number": card_number, "expiry": "2036-12-31",
                             "issuer": "模拟人事处"},
                "protocol": "T1", "pin": pin or demo_pin, "pin_tries": STAFF_PIN_TRIES}
        profile = CardProfile.from_dict(card)
        if forged != "no_key":
            issuer = StaffIssuer("伪造人事处 Forger") if forged == "other_issuer" \
                else self.staff_issuer
            key, certificate = issuer.issue_staff(card_number=card_number, staff_id=staff_id,
                                                  name=name or demo_name)
            profile = replace(profile, auth_key=key, certificate=certificate)
        applet = None
        if forged == "":  # the genuine card is the same card each time: key, PIN counter
            applet = self._staff_cards.setdefault((card_number, pin or demo_pin),
                                                  CardApplet(profile))
            applet.reset()
            profile = applet.profile
        result = self._insert(profile, wait, False, applet)
        return result | {"staff_id": staff_id, "card_number": card_number}

    def _issued(self, profile: CardProfile, forged: str) -> CardProfile:
        """The card as its issuer would have made it: with a certified key, unless it brings
        its own or is a forgery."""
        if forged not in ("", "no_key", "other_issuer"):
            raise ValueError("forged is '', 'no_key' or 'other_issuer'")
        ident = profile.identity
        if ident is None or profile.auth_key is not None or forged == "no_key":
            return profile
        issuer = CardIssuer("伪造发卡机构 Forger") if forged == "other_issuer" else self.issuer
        key, certificate = issuer.issue(card_number=ident.card_number,
                                        id_number=ident.id_number)
        return replace(profile, auth_key=key, certificate=certificate)

    def remove_card(self, wait: float = 2.0) -> dict[str, Any]:
        """Pull the card and wait (bounded) until pcscd has noticed, as a person would."""
        with self._lock:
            card, self._card = self._card, None
        if card is None:
            return {"removed": False}
        if wait <= 0:  # watch nothing from this process (see insert_card)
            card.remove()
            return {"removed": True, "noticed_by_pcscd": None}
        before = reader_state(READER_NAME)
        card.remove()
        noticed = self._wait_state(lambda st: st is None or (
            st[0] & _PRESENT == 0 and st[1] != (before or (0, -1))[1]), wait)
        return {"removed": True, "noticed_by_pcscd": noticed}

    @staticmethod
    def _wait_state(done: Callable[[tuple[int, int] | None], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done(reader_state(READER_NAME)):
                return True
            time.sleep(0.02)
        return False

    def mute(self, enabled: bool = True) -> dict[str, Any]:
        with self._lock:
            if self._card is None:
                raise ValueError("no card inserted")
            self._card.mute(enabled)
        return {"muted": enabled}

    def restart_pcscd(self, crash: bool = False) -> dict[str, Any]:
        self.daemon.restart(crash=crash)
        return {"restarted": True, "pid": self.daemon.pid}

    def stop_pcscd(self) -> dict[str, Any]:
        if self.daemon.reused:
            raise RuntimeError("the system pcscd was not started by us; not stopping it")
        self.daemon.stop()
        return {"stopped": True}

    def start_pcscd(self) -> dict[str, Any]:
        self.daemon.start()
        return {"started": True, "pid": self.daemon.pid}

    @property
    def card(self) -> VirtualCard | None:
        return self._card
