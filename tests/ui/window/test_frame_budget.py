"""The frame budget: which optional panels draw in a frame (plain logic, no QApplication)."""

import pytest

from nnstudio.ui.window.frame_budget import FRAME_BUDGET_SECONDS, FrameBudget

PANELS = ("loss", "data", "heatmaps")
OVER = 2 * FRAME_BUDGET_SECONDS
CHEAP = 0.1 * FRAME_BUDGET_SECONDS


def run_frames(budget, frames, cost, visible=PANELS):
    """Each frame: every panel gets news, the chosen ones draw, the frame costs ``cost``; the draws in order."""
    drawn = []
    for _ in range(frames):
        budget.mark_due()
        chosen = budget.choose(visible)
        for name in chosen:
            budget.drawn(name)
        drawn.append(chosen)
        budget.frame_done(cost)
    return drawn


def test_frames_within_budget_draw_every_panel_with_news():
    budget = FrameBudget(PANELS)
    assert run_frames(budget, 5, CHEAP) == [list(PANELS)] * 5


def test_frames_over_budget_draw_one_panel_each_the_longest_waiting_first():
    budget = FrameBudget(PANELS)
    drawn = run_frames(budget, 11, OVER)
    assert [len(chosen) for chosen in drawn] == [3, 2] + [1] * 9  # one fewer after each frame over budget
    # then round robin: each panel every third frame, none left waiting
    assert drawn[2:] == [["heatmaps"], ["loss"], ["data"]] * 3


def test_cheap_or_idle_frames_give_the_panels_their_room_back():
    budget = FrameBudget(PANELS)
    run_frames(budget, 6, OVER)
    assert budget.allowance == 1
    budget.frame_done(0.0)  # idle ticks
    budget.frame_done(0.0)
    assert budget.allowance == 3
    # between 60 % of the budget and the budget: neither more nor fewer
    budget.allowance = 2
    budget.frame_done(0.8 * FRAME_BUDGET_SECONDS)
    assert budget.allowance == 2


def test_a_hidden_panel_is_not_drawn_but_stays_due_until_shown():
    budget = FrameBudget(PANELS)
    drawn = run_frames(budget, 3, CHEAP, visible=("loss", "data"))
    assert all("heatmaps" not in chosen for chosen in drawn)
    assert budget.is_due("heatmaps")
    budget.mark_due()
    assert budget.choose(PANELS) == ["heatmaps", "loss", "data"]  # shown again: it has waited longest
    budget.drawn("heatmaps")
    assert not budget.is_due("heatmaps")


def test_a_panel_without_news_is_not_drawn():
    budget = FrameBudget(PANELS)
    budget.mark_due(["loss"])
    assert budget.choose(PANELS) == ["loss"]
    budget.drawn("loss")
    assert budget.choose(PANELS) == [] and not budget.any_due()


def test_the_wait_counts_from_the_first_news():
    budget = FrameBudget(PANELS)
    budget.allowance = 1
    budget.mark_due(["heatmaps"])
    budget.frame_done(OVER)
    budget.mark_due()  # news for all: heatmaps has waited a frame longer
    assert budget.choose(PANELS) == ["heatmaps"]


def test_a_panel_asked_for_every_second_frame_draws_every_second_frame_while_streaming():
    budget = FrameBudget(PANELS, every={"loss": 2})
    drawn = run_frames(budget, 6, CHEAP)
    assert [("loss" in chosen) for chosen in drawn] == [True, False] * 3
    assert all("data" in chosen and "heatmaps" in chosen for chosen in drawn)


@pytest.mark.parametrize("panels, budget_s", [((), 0.015), (PANELS, 0.0), (PANELS, -1.0)])
def test_bad_settings_are_refused(panels, budget_s):
    with pytest.raises(ValueError):
        FrameBudget(panels, budget_s)


def test_an_unknown_panel_is_refused():
    with pytest.raises(KeyError):
        FrameBudget(PANELS).mark_due(["canvas"])
    with pytest.raises(KeyError):
        FrameBudget(PANELS, every={"canvas": 2})
