"""Who a configuration layer is for, and the TUF target path that carries it.

Three scopes, laid over each other on the terminal in this order (the later wins, key by key):
`all` < `ring:<name>` < `terminal:<id>`. One target path per scope, so a terminal asks for at
most three names and never learns what other rings or terminals receive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
ALL_PATH = "config/all.toml"

@dataclass(frozen=True)
class Scope:
    kind: str  # "all", "ring", "terminal"
    name: str = ""

    @property
    def target_path(self) -> str:
        if self.kind == "all":
            return ALL_PATH
        return f"config/{self.kind}/{self.name}.toml"

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.name}"


def parse_scope(text: str) -> Scope:
    """`all`, `ring:<name>` or `terminal:<id>`."""
    if text == "all":
        return Scope("all")
    kind, _, name = text.partition(":")
    if kind not in ("ring", "terminal") or not NAME.match(name):
        raise ValueError(f"{text!r} is not a scope: use all, ring:<name> or terminal:<id> "
                         "(letters, digits, _ . -)")
    return Scope(kind, name)


def scope_of_path(path: str) -> Scope | None:
    if path == ALL_PATH:
        return Scope("all")
    m = re.match(r"^config/(ring|terminal)/([A-Za-z0-9_.-]{1,64})\.toml$", path)
    return Scope(m.group(1), m.group(2)) if m else None


def scopes_for(ring: str, terminal_id: str) -> list[Scope]:
    """The scopes one terminal reads, least specific first."""
    scopes = [Scope("all")]
    if ring:
        scopes.append(Scope("ring", ring))
    scopes.append(Scope("terminal", terminal_id))
    return scopes
