"""The console's language: Chinese for hall staff by default, English on request.

Decisions:
- Its words live in a catalogue domain of their own, `kiosk/locale/<lang>/LC_MESSAGES/
  console.po`, compiled by `python -m kiosk.i18n.compile` into the .mo that kiosk.i18n's
  loader reads (fuzzy left out): the citizen app's catalogue stays the citizen's words only.
- The language is chosen per request: the `console_lang` cookie (set by the 中文 / English
  switch) if any, else the browser's Accept-Language, else zh-CN (a Chinese deployment).
- Templates use Jinja's i18n extension (newstyle: `{{ _("Hall") }}`, placeholders as
  keywords); its callables ask for the request's language on each call, so one Jinja
  environment serves every language at once.
- Words decided before a request (nav labels, error reasons, table titles) are marked with
  `N_()` and translated where they are shown; dates and numbers are not localised.

Adding strings: mark them, then

    .venv/bin/pybabel extract -F kiosk/locale/console-babel.cfg -w 100 --no-location \\
        --omit-header -o /tmp/console.pot kiosk/console
    .venv/bin/pybabel update -i /tmp/console.pot -d kiosk/locale -D console -w 100 \\
        --ignore-obsolete

translate the new entries in both console.po files and run tests/i18n.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, has_request_context, redirect, request
from flask.typing import ResponseReturnValue

from kiosk.console.refusal import N_, Refusal
from kiosk.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, Translator, translator

DOMAIN = "console"
COOKIE = "console_lang"
_COOKIE_AGE_S = 365 * 86400


def negotiate(cookie: str | None, accept_language: Any) -> str:
    """The language of a request: the switch's cookie, else the browser's best match among
    ours (zh, zh-CN, zh-Hans... -> zh-CN; en-US, en-GB... -> en), else zh-CN."""
    if cookie in LANGUAGES:
        return cookie
    for value, _quality in accept_language:  # werkzeug's, best first
        primary = str(value).lower().split("-")[0]
        for language in LANGUAGES:
            if language.lower().split("-")[0] == primary:
                return language
    return DEFAULT_LANGUAGE


def language() -> str:
    """The current request's language (zh-CN outside a request)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if "console_lang" not in g:
        g.console_lang = negotiate(request.cookies.get(COOKIE), request.accept_languages)
    return str(g.console_lang)


def current() -> Translator:
    return translator(language(), DOMAIN)


def _(msgid: str, /, **values: Any) -> str:
    """`msgid` in the request's language, `%`-formatted with values."""
    return current().gettext(msgid, **values)


def refusal(exc: Refusal) -> str:
    """A refusal's sentence in the request's language."""
    return _(exc.msgid, **exc.values)


__all__ = ["N_", "Refusal", "_", "current", "install", "language", "negotiate", "refusal"]


def _jinja_gettext(msgid: str) -> str:
    return current()._t.gettext(msgid)


def _jinja_ngettext(singular: str, plural: str, n: int) -> str:
    return current()._t.ngettext(singular, plural, n)


def _switch() -> ResponseReturnValue:
    """The 中文 / English link: remember the choice, go back to the page it was made on."""
    chosen = request.args.get("lang", "")
    back = request.args.get("next", "")
    safe = back if back.startswith("/") and not back.startswith("//") and "\\" not in back \
        else "/"
    response: Response = redirect(safe)  # type: ignore[assignment]
    if chosen in LANGUAGES:
        response.set_cookie(COOKIE, chosen, max_age=_COOKIE_AGE_S, httponly=True,
                            samesite="Strict")
    return response


def install(app: Flask) -> None:
    """Gives the app's templates `_`, `ngettext`, `lang` and `languages`, and the
    /language switch (open without login: the login page has it too)."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _jinja_gettext, _jinja_ngettext, newstyle=True)
    app.context_processor(lambda: {"lang": language(), "languages": LANGUAGE_NAMES})
    app.add_url_rule("/language", "language", _switch)
    app.after_request(_vary)


def _vary(response: Response) -> Response:
    """The same URL answers in either language: caches must key on what chose it."""
    response.vary.update(("Accept-Language", "Cookie"))
    return response
