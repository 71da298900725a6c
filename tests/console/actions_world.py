"""One world for the remote-action tests: the real reference platform, the console with its
actions pages (CSRF on, as served) signing with its own key, staff accounts, and one terminal's
real remote-actions loop and platform client trusting that key, all over loopback HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from kiosk.admin.out_of_service import STATE_NAME, OutOfServiceStore
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.platform import PlatformClient
from kiosk.config.schema import RemoteConfig
from kiosk.console import actions, actions_views, db, signing
from kiosk.console.app import create_console
from kiosk.fleet.repository import FleetRepository
from kiosk.refplatform.server import start_in_thread
from kiosk.refplatform.store import Store
from kiosk.remote.wiring import remote_actions
from kiosk.session import SessionManager
from tests.console.conftest import add_staff
from tests.support import enrolled_terminal_config


@contextmanager
def actions_world(tmp_path: Path, kiosk_id: str, halls: Mapping[str, str],
                  staff: Mapping[str, tuple[str, str]], fleet_repo: bool = False
                  ) -> Iterator[SimpleNamespace]:
    """`halls` maps every terminal the console knows to its hall; `kiosk_id` is the one that
    runs. `staff` maps a name to (role, hall). With `fleet_repo`, the rollout pages get a
    fleet repository (`.repo`). Checks on the way out that the platform broke no contract."""
    platform_db = tmp_path / "platform.sqlite3"
    platform = start_in_thread(platform_db, validate_responses=True)
    store = Store(platform_db)
    engine = db.connect(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    db.migrate(engine)
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        for known, hall in halls.items():
            conn.execute(db.terminals.insert().values(
                kiosk_id=known, hall=hall, ring="canary", first_seen=now, last_seen=now,
                heartbeat={"health": "ok", "versions": {"app": "0.1", "config": ""}}))
    for name, (role, hall) in staff.items():
        add_staff(engine, name, role, hall)
    key = signing.generate(tmp_path / "console" / "command-key.pem")
    repo = None
    if fleet_repo:
        repo = FleetRepository(tmp_path / "repo", root_keys_dir=tmp_path / "offline")
        repo.init()
    app = create_console(engine)
    actions_views.install(app, actions_views.ActionsSetup(
        engine, actions.PlatformStoreChannel(store), key, repo))
    public = tmp_path / "console-command.pub"
    public.write_bytes(signing.public_pem(key))
    config = enrolled_terminal_config(tmp_path, platform.url, store, kiosk_id).model_copy(
        update={"remote": RemoteConfig(console_public_key_file=str(public))})
    client = PlatformClient.from_config(config, retries=0)
    sessions = SessionManager(config)
    terminal = remote_actions(config, client, sessions, AuditRecorder(None))
    assert terminal is not None
    try:
        yield SimpleNamespace(
            app=app, engine=engine, store=store, terminal=terminal, client=client, repo=repo,
            closed=OutOfServiceStore(Path(config.terminal.data_dir) / STATE_NAME))
    finally:
        client.close()
        sessions.close()
        engine.dispose()
        platform.stop()
    assert not platform.app.extensions["refplatform"].violations
