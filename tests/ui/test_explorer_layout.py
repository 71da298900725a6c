"""The explorer's rule for "moved while only time passed", on layouts as `/layout` lists them."""

from __future__ import annotations

from screens.explorer_layout import layout_moves

BAR = [["<BoxLayout>", 40, 24, 1840, 96], ["camera_done", 40, 24, 910, 96],
       ["capture", 970, 24, 910, 96]]
PAGE_TAKEN = [["<BoxLayout>", 40, 136, 1590, 102], ["problem", 40, 136, 1340, 102],
              ["call_staff_problem", 1650, 136, 230, 96]] + BAR


def test_the_same_tree_redrawn_is_no_move() -> None:
    assert layout_moves(BAR, [list(w) for w in BAR], False) == []


def test_a_problem_in_the_room_its_screen_keeps_moves_nothing() -> None:
    """The camera's "page taken" comes while the citizen waits (CI: reported as three moves,
    every widget after it compared with the one before it)."""
    assert layout_moves(BAR, PAGE_TAKEN, keeps_problem_room=True) == []


def test_a_problem_where_no_room_was_kept_is_reported() -> None:
    assert layout_moves(BAR, PAGE_TAKEN, keeps_problem_room=False) == [
        "widgets added or removed: ['call_staff_problem', 'problem']"]


def test_a_button_that_moved_is_reported_with_or_without_a_problem() -> None:
    moved = [list(w) for w in PAGE_TAKEN]
    moved[-1][2] = 30  # capture slid up 6 px
    assert layout_moves(BAR, moved, keeps_problem_room=True) == [
        "capture [970, 24, 910, 96] -> [970, 30, 910, 96]"]
    assert layout_moves(BAR, moved[3:], keeps_problem_room=False) == [
        "capture [970, 24, 910, 96] -> [970, 30, 910, 96]"]


def test_another_widget_appearing_is_reported_even_where_room_was_kept() -> None:
    assert layout_moves(BAR, BAR + [["page_next", 0, 0, 10, 10]], True) == [
        "widgets added or removed: ['page_next']"]
