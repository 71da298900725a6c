from __future__ import annotations

from pathlib import Path

import pytest

from tests.delivery.bodies import sample_application
from tests.delivery.drill import Drill


@pytest.fixture
def drill(tmp_path: Path):
    ground = Drill(tmp_path / "drill", tmp_path / "platform.sqlite3", sample_application())
    try:
        yield ground
    finally:
        ground.platform_down()
