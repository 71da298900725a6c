"""Cards decoded the way the reader decodes them, a config pointing at tmp_path, a fake clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from drivers.idcard.card import build_base_info, encode_description, parse_base_info
from drivers.idcard.emulator import load_description
from kiosk.config import KioskConfig
from kiosk.config.schema import SessionConfig, TerminalConfig, UiConfig

TODAY = dt.date(2026, 11, 22)


def card_of(name: str):
    """A card as drivers/idcard decodes it from the module's read-base-info reply."""
    text, photo = encode_description(load_description(name))
    return parse_base_info(build_base_info(text, photo), today=TODAY)


class FakeClock:
    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_config(run_dir: Path, *, elder: bool = False, directory: str = "") -> KioskConfig:
    return KioskConfig(
        terminal=TerminalConfig(run_dir=str(run_dir)),
        session=SessionConfig(idle_timeout_s=60, warning_s=15, max_extensions=2,
                              elder_timeout_factor=2.0, directory=directory),
        ui=UiConfig(language="zh-CN", elder_mode=elder))


@pytest.fixture
def config(tmp_path: Path) -> KioskConfig:
    return make_config(tmp_path / "run")
