"""kiosk/devices/idcard.py: the configured reader and the emulator fragment fit the schema."""

from __future__ import annotations

import tomli_w

from drivers.device import EventKind
from kiosk.config import check_file, load_config
from kiosk.devices import idcard as area


def test_emulator_fragment_validates_and_drives_the_built_reader(tmp_path):
    emulators, fragment = area.start_emulators(tmp_path)
    try:
        site = tmp_path / "site.toml"
        site.write_text(tomli_w.dumps(fragment))
        check_file(site)
        config = load_config(site)
        devices = area.build_devices(config)
        assert [d.name for d in devices] == ["idcard"]
        reader = devices[0]
        assert reader.port == fragment["devices"]["idcard"]["port"]
        assert reader.poll_interval == config.devices.idcard.poll_interval_s
        seen = []
        reader.subscribe(seen.append)
        reader.start()
        try:
            assert reader.wait_for(lambda s: s.usable, 3)
            emulators[0].controls()["place_card"](path="resident")
            assert reader.wait_for(lambda s: any(e.kind is EventKind.CARD_INSERTED
                                                 for e in seen), 3)
        finally:
            reader.stop()
    finally:
        for emulator in emulators:
            emulator.stop()


def test_disabled_module_builds_nothing(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text("[devices.idcard]\nenabled = false\n")
    assert area.build_devices(load_config(site)) == []
