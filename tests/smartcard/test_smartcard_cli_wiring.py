"""`kiosk smartcard ...` as a technician uses it, and the wiring `kiosk sim` relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner

from drivers.smartcard.emulator import SAMPLE_CARD, SmartCardEmulator
from drivers.smartcard.reader import SmartCardReader
from kiosk.cli import main
from kiosk.cli.smartcard import smartcard_group
from kiosk.config import check_file, load_config
from kiosk.devices import smartcard as wiring

main.add_command(smartcard_group)
ID = SAMPLE_CARD["identity"]["id_number"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.pcscd
def test_readers_lists_the_virtual_reader_and_its_card(emu):
    emu.insert_card()
    code, out = run("smartcard", "readers")
    assert code == 0, out
    assert "Virtual PCD 00 00: card, ATR 3B8880" in out
    code, out = run("--json", "smartcard", "readers")
    rows = {r["reader"]: r for r in json.loads(out)["readers"]}
    assert rows["Virtual PCD 00 00"]["card_present"] is True
    assert rows["Virtual PCD 00 01"]["card_present"] is False


@pytest.mark.pcscd
def test_read_prints_the_identity_masked_unless_asked(emu):
    emu.insert_card()
    code, out = run("smartcard", "read", "--timeout", "5")
    assert code == 0, out
    assert "110105********002X" in out and ID not in out and "测试用户" not in out
    code, out = run("--json", "smartcard", "read", "--timeout", "5", "--unmasked")
    assert code == 0, out
    data = json.loads(out[out.index("{"):])
    assert data["identity"]["id_number"] == ID and data["protocol"] == "T=1"


@pytest.mark.pcscd
def test_read_without_a_card_says_so(emu):
    code, out = run("smartcard", "read", "--timeout", "0.5")
    assert code == 1 and "no card within 0.5 s" in out


@pytest.mark.pcscd
def test_readers_without_pcscd_is_a_clear_error(emu):
    emu.stop_pcscd()
    code, out = run("smartcard", "readers")
    assert code == 1 and "pcscd is not reachable" in out


def test_build_devices_follows_the_configuration():
    config = load_config()
    (device,) = wiring.build_devices(config)
    assert isinstance(device, SmartCardReader) and device.name == "smartcard"
    c = config.devices.smartcard
    assert (device.apdu_timeout, device.poll_interval, device.missed_polls_to_offline) == (
        c.apdu_timeout_s, c.poll_interval_s, c.missed_polls_to_offline)
    disabled = config.model_copy(update={"devices": config.devices.model_copy(update={
        "smartcard": c.model_copy(update={"enabled": False})})})
    assert wiring.build_devices(disabled) == []


@pytest.mark.pcscd
def test_emulator_fragment_fits_the_schema(emu, tmp_path: Path):
    # the session's emulator is private; the wiring's (system pcscd) is checked for its fragment
    emulators, fragment = wiring.start_emulators(tmp_path)
    try:
        site = tmp_path / "site.toml"
        site.write_text(tomli_w.dumps(fragment))
        assert check_file(site).devices.smartcard.reader == "Virtual PCD 00 00"
        assert emulators[0].endpoints()["reader"] == "Virtual PCD 00 00"
        assert set(emulators[0].controls()) >= {"insert_card", "remove_card", "mute",
                                                "restart_pcscd"}
    finally:
        for e in emulators:
            e.stop()


@pytest.mark.pcscd
def test_card_profile_from_a_json_file(tmp_path: Path, sc_emulator: SmartCardEmulator):
    path = tmp_path / "card.json"
    path.write_text(json.dumps({**SAMPLE_CARD, "protocol": "T0"}, ensure_ascii=False))
    result = sc_emulator.insert_card(path=str(path))
    assert result["seen_by_pcscd"] and result["atr"].startswith("3B08")
    sc_emulator.remove_card()
