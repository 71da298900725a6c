"""`kiosk`: one command line for technicians, tests and the demo (`--json` for machines)."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from typing import Any

import click

from kiosk import logs
from kiosk.config import ConfigError, LoadedConfig, load_layers


@dataclass
class CliContext:
    config_path: str | None
    as_json: bool
    _loaded: LoadedConfig | None = None

    @property
    def loaded(self) -> LoadedConfig:
        if self._loaded is None:
            try:
                self._loaded = load_layers(self.config_path)
            except ConfigError as exc:
                fail("configuration refused:\n  " + "\n  ".join(exc.problems))
        return self._loaded

    def emit(self, data: Any, text: str | None = None) -> None:
        """Print `data` as JSON with --json, else `text` (or a readable dump of data)."""
        if self.as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            click.echo(text if text is not None else json.dumps(data, ensure_ascii=False, indent=2,
                                                               default=str))


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


pass_ctx = click.make_pass_decorator(CliContext)


@click.group()
@click.option("--config", "config_path", envvar="KIOSK_CONFIG", type=click.Path(dir_okay=False),
              help="Site configuration file laid over config/default.toml.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, as_json: bool, verbose: int) -> None:
    """Government self-service terminal: devices, emulators, diagnostics."""
    logs.configure(logging.WARNING - 10 * min(verbose, 2))
    ctx.obj = CliContext(config_path, as_json)


def _register() -> None:
    from kiosk.cli import commands

    for command in commands.ALL:
        main.add_command(command)


_register()
