"""The late policy's arithmetic: on time, grace, per day and per hour, cap, rounding."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from grader.late import LatePenalty, LatePolicy, late_penalty, round_points

BRT = timezone(timedelta(hours=-3))
DUE = datetime(2026, 3, 10, 23, 59, tzinfo=BRT)


def policy(**kwargs) -> LatePolicy:
    return LatePolicy(**{"due": DUE, "percent": 10.0, **kwargs})


def after(delta: timedelta, **kwargs) -> LatePenalty:
    return late_penalty(DUE + delta, policy(**kwargs), score=8.0, max_score=10.0)


def test_on_time_and_early_lose_nothing():
    for delta in (timedelta(0), -timedelta(days=2)):
        penalty = after(delta)
        assert penalty.late == timedelta(0) and penalty.units == 0 and penalty.percent == 0
        assert penalty.score == penalty.score_before == 8.0 and not penalty.within_grace


def test_a_started_day_counts_whole():
    assert (after(timedelta(minutes=1)).units, after(timedelta(minutes=1)).percent) == (1, 10)
    assert after(timedelta(days=1)).units == 1
    penalty = after(timedelta(days=1, seconds=1))
    assert (penalty.units, penalty.percent, penalty.score) == (2, 20, 6.4)
    assert penalty.late == timedelta(days=1, seconds=1) and penalty.deducted == 1.6


def test_per_hour():
    penalty = after(timedelta(hours=2, minutes=30), per="hour", percent=2.0)
    assert (penalty.units, penalty.per, penalty.percent, penalty.score) == (3, "hour", 6, 7.52)


def test_grace_forgives_but_lateness_counts_from_the_due_date():
    grace = timedelta(minutes=15)
    forgiven = after(timedelta(minutes=15), grace=grace)
    assert forgiven.within_grace and forgiven.late == timedelta(minutes=15)
    assert forgiven.percent == 0 and forgiven.score == 8.0
    charged = after(timedelta(minutes=16), grace=grace)
    assert not charged.within_grace and charged.units == 1 and charged.score == 7.2
    # 24 h 5 min late: two started days although 24 h 5 min - 15 min is under one day past the grace
    assert after(timedelta(days=1, minutes=5), grace=grace).units == 2


def test_cap_bounds_the_deduction():
    penalty = after(timedelta(days=9), cap=50.0)
    assert (penalty.units, penalty.percent, penalty.score) == (9, 50, 4.0)
    assert after(timedelta(days=30)).score == 0.0  # default cap 100: nothing left, never negative


def test_percent_of_the_points_possible():
    penalty = after(timedelta(days=2), of="max_score")  # 20 % of 10 points
    assert penalty.score == 6.0
    low = late_penalty(DUE + timedelta(days=2), policy(of="max_score"), score=1.0, max_score=10.0)
    assert low.score == 0.0  # never below zero


def test_rounding_is_half_up_to_hundredths():
    assert round_points(0.125) == 0.13 and round_points(2.675) == 2.68 and round_points(7.0) == 7.0
    penalty = late_penalty(DUE + timedelta(hours=1), policy(percent=33.333), score=1.0, max_score=1.0)
    assert penalty.percent == 33.333 and penalty.score == 0.67
    unrounded = late_penalty(DUE, policy(), score=2 / 3, max_score=1.0)
    assert unrounded.score == 2 / 3  # no deduction: the checks' score, untouched


def test_time_zones_are_compared_as_instants():
    utc = DUE.astimezone(timezone.utc) + timedelta(hours=1)
    assert late_penalty(utc, policy(per="hour"), 8.0, 10.0).units == 1


def test_naive_times_and_bad_policies_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        late_penalty(datetime(2026, 3, 11), policy(), 8.0, 10.0)
    for bad in (dict(due=datetime(2026, 3, 10)), dict(per="week"), dict(percent=120.0), dict(cap=-1.0),
                dict(grace=-timedelta(minutes=1)), dict(of="points")):
        with pytest.raises(ValueError):
            policy(**bad)


def test_policy_and_penalty_round_trip_through_json():
    pol = policy(per="hour", grace=timedelta(minutes=10), cap=40.0)
    assert LatePolicy.from_json(json.loads(json.dumps(pol.to_json()))) == pol
    penalty = after(timedelta(hours=30), per="hour", percent=1.0)
    data = json.loads(json.dumps(penalty.to_json()))
    assert data["submitted"] == "2026-03-12T05:59:00-03:00" and data["late"] == 30 * 3600
    assert LatePenalty.from_json(data) == penalty
