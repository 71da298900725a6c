"""The console speaks the staff member's language: a Chinese browser (or one asking for
neither language) gets Chinese, an English one English, and the 中文 / English switch
overrides the browser for the following pages (a cookie); `<html lang>` follows. In a real
browser (headless Chromium with its locale set) beside the real platform of test_browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from kiosk.console.app import create_console
from kiosk.console.lang import negotiate
from tests.console.test_browser import fleet  # noqa: F401 - the module's fleet fixture


def _accept(header: str) -> LanguageAccept:
    return parse_accept_header(header, LanguageAccept)


@pytest.mark.parametrize(("cookie", "header", "language"), [
    (None, "", "zh-CN"),
    (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    (None, "zh-TW", "zh-CN"),
    (None, "en-US,en;q=0.9", "en"),
    (None, "fr-FR,en-GB;q=0.5", "en"),
    (None, "fr-FR,de;q=0.5", "zh-CN"),
    ("en", "zh-CN", "en"),
    ("zh-CN", "en-US", "zh-CN"),
    ("xx", "en-US", "en"),
])
def test_the_language_is_the_cookie_else_the_browser_else_chinese(
        cookie: str | None, header: str, language: str) -> None:
    assert negotiate(cookie, _accept(header)) == language


def test_the_login_page_without_accept_language_is_chinese(sqlite_engine: sa.Engine) -> None:
    client = create_console(sqlite_engine).test_client()
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "<h1>登录</h1>" in page and "动态码" in page
    assert 'id="lang-en"' in page
    english = client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "<h1>Log in</h1>" in english


def test_the_switch_goes_back_only_to_a_page_of_this_console(sqlite_engine: sa.Engine) -> None:
    client = create_console(sqlite_engine).test_client()
    answer = client.get("/language?lang=en&next=//evil.example/x")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "<h1>Log in</h1>" in client.get("/login").get_data(as_text=True)  # the cookie
    client.get("/language?lang=klingon&next=/login")
    assert "<h1>Log in</h1>" in client.get("/login").get_data(as_text=True)  # unchanged


@pytest.fixture
def chinese_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_chinese_browser_gets_login_board_and_alerts_in_chinese_and_can_switch(
        fleet, chinese_page) -> None:  # noqa: F811
    from kiosk.console.alerts import AlertRules, evaluate

    page = chinese_page
    evaluate(fleet.engine, AlertRules(heartbeat_interval_s=60, offline_missed=30), fleet.now())
    page.goto(fleet.url("/login"))
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.inner_text("h1") == "登录" and page.inner_text("#login") == "登录"
    fleet.login(page, "manager", code="000000")
    assert page.inner_text("#login-error") == "用户名、密码或动态码错误。"
    fleet.login(page, "manager")
    assert page.inner_text("h1") == "终端"
    assert "纸将尽" in page.inner_text("#row-A-0001 .problems")
    assert page.inner_text("#nav-board") == "总览" and page.inner_text("#logout") == "退出登录"
    assert "1 台需关注" in page.inner_text(".summary")
    page.click("header nav >> text=告警")
    assert page.inner_text("h1") == "告警"
    row = page.locator("#alerts tbody tr", has_text="A-0001")
    assert "纸将尽" in row.inner_text()
    assert row.get_by_role("button", name="确认").count() == 1

    page.click("#lang-en")  # the switch: this page again, in English, and the next ones too
    assert page.url.endswith("/alerts")
    assert page.get_attribute("html", "lang") == "en" and page.inner_text("h1") == "Alerts"
    assert "paper low" in page.locator("#alerts tbody tr", has_text="A-0001").inner_text()
    page.goto(fleet.url("/"))
    assert page.inner_text("h1") == "Terminals" and page.inner_text("#nav-board") == "Board"
    page.click("#lang-zh-CN")
    assert page.get_attribute("html", "lang") == "zh-CN" and page.inner_text("h1") == "终端"


def test_answers_vary_with_what_chose_their_language(sqlite_engine: sa.Engine) -> None:
    answer = create_console(sqlite_engine).test_client().get("/login")
    assert {"Accept-Language", "Cookie"} <= set(answer.vary)
