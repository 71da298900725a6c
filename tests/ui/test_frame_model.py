"""The frame's words, from plain data (no window): the date with its weekday in one format,
the session's time left, the terminal number, and the numbered step bar."""

from __future__ import annotations

from datetime import datetime, timezone

from kiosk.i18n import Translator
from screens.apply.flow import STEPS as APPLY_STEPS
from screens.frame_model import StatusLine, Step, date_words, step_items, time_words, timer_words

ZH, EN = Translator("zh-CN").gettext, Translator("en").gettext
# 2026-12-04 16:05 UTC is Friday 5 December 00:05 in the hall (China Standard Time)
NOW = datetime(2026, 12, 4, 16, 5, 30, tzinfo=timezone.utc)


def test_the_date_has_its_weekday_in_the_halls_time_zone() -> None:
    assert date_words(NOW, "zh-CN", ZH) == "2026年12月05日 周六"
    assert date_words(NOW, "en", EN) == "Sat 5 Dec 2026"
    assert time_words(NOW) == "00:05"


def test_the_timer_says_minutes_and_seconds_left() -> None:
    assert timer_words(None, EN) == ""
    assert timer_words(125.2, EN) == "Time left 2:05"
    assert timer_words(59.6, ZH) == "剩余 1:00"
    assert timer_words(-3, ZH) == "剩余 0:00"


def test_the_status_line_names_hall_and_terminal() -> None:
    line = StatusLine.at(NOW, language="zh-CN", hall="朝阳区政务服务中心", terminal_id="CY-007",
                         seconds_left=90, _=ZH)
    assert (line.hall, line.terminal, line.timer) == ("朝阳区政务服务中心", "终端 CY-007",
                                                      "剩余 1:30")


def test_the_step_bar_numbers_every_step_and_marks_the_current_one() -> None:
    items = step_items(APPLY_STEPS, "camera", EN)
    assert [(i.number, i.words, i.state) for i in items] == [
        (1, "Guide", "done"), (2, "Fill in", "done"), (3, "Documents", "current"),
        (4, "Check", "todo"), (5, "Submitted", "todo")]
    assert [i.words for i in step_items(APPLY_STEPS, "guide", ZH)] == [
        "办事指南", "填写信息", "上传材料", "核对", "已提交"]


def test_a_screen_outside_the_steps_has_no_bar() -> None:
    assert step_items(APPLY_STEPS, "catalogue", EN) == []
    assert step_items((Step("Guide", ("guide",)),), "home", EN) == []
