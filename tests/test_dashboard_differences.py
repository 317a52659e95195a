"""Figures that two dashboard tables would give away by difference are hidden in both."""

import datetime
from collections import defaultdict

from dashboard import figures
from dashboard.models import PeopleFigure
from groups.quarters import Quarter

Scope = PeopleFigure.Scope
TODAY = datetime.date(2026, 11, 20)
QUARTERS = [Quarter(2026, 3), Quarter(2026, 4)]
GENDERS = PeopleFigure.GENDERS


def _counts(key, quarter, active, active_members, men):
    counts = defaultdict(int)
    counts[key, quarter, Scope.ACTIVE, "total", "all"] = active
    counts[key, quarter, Scope.ACTIVE_MEMBER, "total", "all"] = active_members
    counts[key, quarter, Scope.ACTIVE, "gender", "man"] = men
    counts[key, quarter, Scope.ACTIVE, "gender", "woman"] = active - men
    return counts


def _gender_table(counts, key=7):
    return figures._dimension_table(counts, key, QUARTERS, TODAY, Scope.ACTIVE, "gender", GENDERS, "", "g")


def test_active_people_are_hidden_when_the_non_members_among_them_are_few():
    # 40 active people, 37 of them members: the members table shows 37, so showing 40 here
    # would tell that 3 active people are not members.
    counts = _counts(7, QUARTERS[1], active=40, active_members=37, men=15)
    table = _gender_table(counts)
    last = table.cells[1]
    assert last[-1].hidden  # the total
    assert sum(cell.hidden for cell in last[:-1]) == 1  # and one more, or the total is their sum
    assert not any(cell.hidden for cell in table.cells[0])  # the other quarter has nobody: all shown


def test_active_people_are_shown_when_the_non_members_are_none_or_five_or_more():
    for members in (40, 35, 20):
        table = _gender_table(_counts(7, QUARTERS[1], active=40, active_members=members, men=15))
        assert not any(cell.hidden for cell in table.cells[1]), members


def test_all_members_are_never_hidden_for_the_difference():
    counts = _counts(7, QUARTERS[1], active=40, active_members=37, men=15)
    counts[7, QUARTERS[1], Scope.MEMBER, "gender", "man"] = 30
    counts[7, QUARTERS[1], Scope.MEMBER, "gender", "woman"] = 50
    table = figures._dimension_table(counts, 7, QUARTERS, TODAY, Scope.MEMBER, "gender", GENDERS, "", "g")
    assert not any(cell.hidden for cell in table.cells[1])


def test_the_national_overview_hides_a_regions_share_when_its_non_members_are_few():
    region = type("R", (), {"name": "Bergen", "pk": 7})()
    counts = _counts(7, QUARTERS[1], active=40, active_members=37, men=15)
    for key, value in list(counts.items()):
        counts["all", *key[1:]] += value
    counts["all", QUARTERS[1], Scope.ACTIVE, "total", "all"] += 100
    counts["all", QUARTERS[1], Scope.ACTIVE_MEMBER, "total", "all"] += 100
    shares = figures._targets_by_region(counts, QUARTERS[1], [region], TODAY)[0].table
    bergen = shares.cells[0]
    assert all(cell.hidden for cell in bergen)  # every share of a hidden whole is hidden
