"""`kiosk config check FILE` and `kiosk config show`."""

from __future__ import annotations

import click

from kiosk.cli import CliContext, fail, pass_ctx
from kiosk.config import ConfigError, check_file


@click.group("config")
def config_group() -> None:
    """Validate and inspect configuration layers."""


@config_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_ctx
def check(ctx: CliContext, file: str) -> None:
    """Validate FILE as a layer over the defaults, without starting anything."""
    try:
        check_file(file)
    except ConfigError as exc:
        if ctx.as_json:
            ctx.emit({"file": file, "valid": False, "problems": exc.problems})
            raise SystemExit(1)
        fail("\n  ".join([f"{file} is not valid:", *exc.problems]))
    ctx.emit({"file": file, "valid": True}, f"{file}: valid")


@config_group.command("show")
@pass_ctx
def show(ctx: CliContext) -> None:
    """The configuration in force, and the files it was layered from."""
    loaded = ctx.loaded
    ctx.emit({"layers": [{"name": l.name, "path": str(l.path)} for l in loaded.layers],
              "config": loaded.config.model_dump(mode="json")})
