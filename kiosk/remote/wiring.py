"""Remote actions built from the configuration, for the running terminal (kiosk.terminal)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.admin.out_of_service import STATE_NAME as OOS_NAME
from kiosk.admin.out_of_service import OutOfServiceStore
from kiosk.audit.recorder import AuditRecorder
from kiosk.client import PlatformClient
from kiosk.config import KioskConfig
from kiosk.remote.ledger import LEDGER_NAME, Ledger
from kiosk.remote.service import RemoteActions, key_id, load_console_key
from kiosk.session import SessionManager


@dataclass
class RemoteHooks:
    """What a UI lends remote actions, set before the terminal starts (screens.remote)."""

    busy: Callable[[], bool] | None = None  # someone at the screen (a citizen, or staff)
    restart: Callable[[], None] | None = None  # leave between sessions (exit code 75)
    screenshot: Callable[[], bytes] | None = None  # the window as PNG, from the main thread
    service_changed: Callable[[], None] | None = None  # out of / back in service: redraw

log = logging.getLogger(__name__)


def remote_actions(config: KioskConfig, client: PlatformClient, sessions: SessionManager,
                   audit: AuditRecorder, hooks: RemoteHooks | None = None
                   ) -> RemoteActions | None:
    """None without a console key in the site file (or with one that cannot be read: the
    terminal then takes no commands and says why in its log)."""
    path = config.remote.console_public_key_file
    if not path:
        return None
    try:
        key = load_console_key(path)
    except (OSError, ValueError) as exc:
        log.error("no remote actions: the console key cannot be read (%s)", exc)
        return None
    data_dir = Path(config.terminal.data_dir)
    remote = RemoteActions(
        kiosk_id=config.platform.kiosk_id or config.terminal.id, console_key=key,
        fetch=lambda: [c.model_dump() for c in client.kiosk_commands().items],
        report=client.post_command_result, ledger=Ledger(data_dir / LEDGER_NAME, key_id(key)),
        out_of_service=OutOfServiceStore(data_dir / OOS_NAME), audit=audit,
        busy=hooks.busy if hooks and hooks.busy else lambda: sessions.current is not None,
        nearest_counter=config.admin.nearest_counter,
        poll_interval_s=config.remote.poll_interval_s)
    if hooks is not None:
        remote.restart, remote.screenshot = hooks.restart, hooks.screenshot
        remote.service_changed = hooks.service_changed

    def on_session(event) -> None:  # type: ignore[no-untyped-def]
        if event.kind == "ended":
            remote.wake()  # what waited for the citizen may run now
    sessions.subscribe(on_session)
    return remote
