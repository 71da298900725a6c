"""`kiosk smartcard ...` as a technician uses it, and the wiring `kiosk sim` relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner

from drivers.smartcard.applet import CardProfile
from drivers.smartcard.emulator import SAMPLE_CARD, SmartCardEmulator
from drivers.smartcard.reader import SmartCardReader
from drivers.smartcard.vpcd_card import VirtualCard
from kiosk.audit import open_trail
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
def test_read_prints_the_identity_masked_unless_asked(emu, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text(tomli_w.dumps({"terminal": {"data_dir": str(tmp_path / "data")}}))
    emu.insert_card()
    code, out = run("smartcard", "read", "--timeout", "5")
    assert code == 0, out
    assert "110105********002X" in out and ID not in out and "测试用户" not in out
    code, out = run("--config", str(site), "smartcard", "read", "--timeout", "5", "--unmasked")
    assert code == 1 and "needs --staff ID and --reason" in out and ID not in out
    code, out = run("--config", str(site), "--json", "smartcard", "read", "--timeout", "5",
                    "--unmasked", "--staff", "S0001", "--reason", "card reader replaced")
    assert code == 0, out
    data = json.loads(out[out.index("{"):])
    assert data["identity"]["id_number"] == ID and data["protocol"] == "T=1"
    with open_trail(load_config(site), create=False) as trail:
        [entry] = list(trail.entries())
    assert (entry.actor_id, entry.action, entry.details["reason"]) == (
        "S0001", "smartcard.read_unmasked", "card reader replaced")


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
def test_sim_wiring_gives_the_kiosk_process_its_own_pcscd(emu, tmp_path: Path):
    """`kiosk sim`'s pcscd is private (a vpcd port below the ephemeral range, which a client's
    connection cannot be holding) and a separate kiosk process finds it through the site file
    alone."""
    emulators, fragment = wiring.start_emulators(tmp_path)
    (emulator,) = emulators
    try:
        site = tmp_path / "site.toml"
        site.write_text(tomli_w.dumps(fragment))
        section = check_file(site).devices.smartcard
        assert section.reader == "Virtual PCD 00 00"
        assert emulator.endpoints()["reader"] == "Virtual PCD 00 00"
        assert set(emulator.controls()) >= {"insert_card", "remove_card", "mute",
                                            "restart_pcscd"}
        if os.geteuid() != 0:
            pytest.skip("private pcscd needs root (unshare --mount)")
        assert section.pcscd_socket == str(emulator.daemon.socket_path)
        ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
        assert emulator.daemon.vpcd_port + 1 < ephemeral_low
        # straight to its vpcd: this process's PC/SC client is bound to the session's pcscd,
        # whose reader (same name) stays empty, so a card seen proves which daemon answered
        card = VirtualCard(CardProfile.from_dict(SAMPLE_CARD), port=emulator.daemon.vpcd_port)
        card.insert()
        env = {k: v for k, v in os.environ.items()
               if k not in ("PCSCLITE_CSOCK_NAME", "KIOSK_FLEET_LAYER")}
        for _ in range(10):  # pcscd polls vpcd for presence; give it a moment
            result = subprocess.run(
                [sys.executable, "-m", "kiosk.cli.entry", "--config", str(site), "--json",
                 "smartcard", "readers"], capture_output=True, text=True, env=env, timeout=60)
            assert result.returncode == 0, result.stdout + result.stderr
            rows = {r["reader"]: r for r in json.loads(result.stdout)["readers"]}
            if rows["Virtual PCD 00 00"]["card_present"]:
                break
            time.sleep(0.3)
        assert rows["Virtual PCD 00 00"]["card_present"] is True
        card.remove()
    finally:
        emulator.stop()
    assert os.environ.get("PCSCLITE_CSOCK_NAME") == str(emu.daemon.socket_path)


@pytest.mark.pcscd
def test_card_profile_from_a_json_file(tmp_path: Path, sc_emulator: SmartCardEmulator):
    path = tmp_path / "card.json"
    path.write_text(json.dumps({**SAMPLE_CARD, "protocol": "T0"}, ensure_ascii=False))
    result = sc_emulator.insert_card(path=str(path))
    assert result["seen_by_pcscd"] and result["atr"].startswith("3B08")
    sc_emulator.remove_card()
