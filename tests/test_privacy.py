"""The privacy rule (amnesty_portal.privacy, seed 003): no figure about fewer than five people.

Primary suppression hides every count of 1–4; secondary suppression hides the next smallest cell of
any line (a row or column that adds up to a total) that would otherwise have one hidden cell, which
its total and the other cells would give away. The dashboards' pages, charts and exports are
tested against this in test_dashboard.py.
"""

import random

import pytest
from django.template import Context, Template
from django.utils import translation

from amnesty_portal.privacy import HIDDEN, THRESHOLD, Cell, Table, protect, share, suppress
from amnesty_portal.templatetags.privacy import figure, protected


def values(cells):
    """The cells as the reader sees them: numbers, and None where hidden."""
    return [[cell.value for cell in row] for row in cells]


def with_totals(counts, *, total_row=False, total_column=False):
    """The grid ``suppress`` is given: the counts with each row's and each column's sum added."""
    grid = [[*row, sum(row)] if total_column else list(row) for row in counts]
    if total_row:
        grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def lines(grid, *, rows_add_up, columns_add_up):
    """Every line of the grid whose last cell is the sum of the others, as lists of (row, column)."""
    found = []
    if rows_add_up:
        found += [[(r, c) for c in range(len(grid[r]))] for r in range(len(grid))]
    if columns_add_up:
        found += [[(r, c) for r in range(len(grid))] for c in range(len(grid[0]))]
    return found


# --- Primary suppression ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_a_count_of_one_to_four_is_hidden(count):
    assert protect(count) == Cell(None)
    assert protect(count).hidden
    assert str(protect(count)) == HIDDEN == "<5"


@pytest.mark.parametrize("count", [0, 5, 6, 17, 1234])
def test_zero_and_five_or_more_are_shown(count):
    assert protect(count) == Cell(count)
    assert not protect(count).hidden
    assert str(protect(count)) == str(count)


def test_the_threshold_is_five():
    assert THRESHOLD == 5


def test_a_missing_count_is_hidden():
    assert protect(None).hidden


def test_a_table_without_totals_hides_only_the_small_counts():
    table = Table(name="t", title="t", rows=["a", "b"], columns=["x", "y", "z"], counts=[[0, 1, 5], [4, 9, 3]])
    assert values(table.cells) == [[0, None, 5], [None, 9, None]]


def test_a_shown_cell_keeps_its_float_formatting():
    assert str(Cell(12.5)) == "12.5"
    assert str(Cell(50.0)) == "50.0"
    assert str(Cell(7)) == "7"


# --- Secondary suppression ----------------------------------------------------------------------------


def test_a_row_with_one_small_cell_and_a_total_hides_the_next_smallest_too():
    # 3 + 7 + 9 = 19: with only the 3 hidden, 19 - 7 - 9 would give it away.
    cells = suppress([[3, 9, 7, 19]], rows_add_up=True, columns_add_up=False)
    assert values(cells) == [[None, 9, None, 19]]


def test_the_next_smallest_is_taken_from_the_cells_not_the_total():
    cells = suppress([[2, 30, 40, 72]], rows_add_up=True, columns_add_up=False)
    assert values(cells) == [[None, None, 40, 72]]


def test_a_row_with_two_small_cells_needs_nothing_more():
    cells = suppress([[2, 3, 40, 45]], rows_add_up=True, columns_add_up=False)
    assert values(cells) == [[None, None, 40, 45]]


def test_the_total_is_hidden_when_nothing_else_is_left():
    # One cell of the row is small, the row has no other cell: its total gives it away.
    cells = suppress([[3, 3]], rows_add_up=True, columns_add_up=False)
    assert values(cells) == [[None, None]]
    cells = suppress([[3, 0, 3]], rows_add_up=True, columns_add_up=False)
    assert sum(cell.hidden for cell in cells[0]) >= 2
    assert cells[0][0].hidden


def test_a_column_with_one_small_cell_and_a_total_hides_the_next_smallest_too():
    grid = [[12], [2], [8], [22]]
    cells = suppress(grid, rows_add_up=False, columns_add_up=True)
    assert values(cells) == [[12], [None], [None], [22]]


def test_columns_that_do_not_add_up_are_left_alone():
    # Quarters as rows: the same people recur, there is no column total to subtract from.
    cells = suppress([[3, 9, 12], [10, 10, 20]], rows_add_up=True, columns_add_up=False)
    assert values(cells) == [[None, None, 12], [10, 10, 20]]


def test_a_cascade_hiding_in_a_row_forces_another_cell_in_a_column():
    counts = [
        [2, 10, 20],
        [30, 12, 40],
        [25, 50, 60],
    ]
    grid = with_totals(counts, total_row=True, total_column=True)
    cells = suppress(grid, rows_add_up=True, columns_add_up=True)
    shown = values(cells)
    # Row 0: the 2 is hidden, and its next smallest, the 10.
    assert shown[0][0] is None and shown[0][1] is None
    # Column 0 now has one hidden cell (the 2): its next smallest (25) is hidden too; column 1 has
    # one (the 10): its next smallest (12) goes as well.
    assert shown[2][0] is None
    assert shown[1][1] is None
    # …and so on until every line is safe.
    for line in lines(grid, rows_add_up=True, columns_add_up=True):
        assert sum(cells[r][c].hidden for r, c in line) != 1
    assert shown[0][2] == 20  # cells nothing points at stay shown


def test_a_hidden_cell_cannot_be_worked_out_by_subtraction_in_the_example():
    grid = with_totals([[3, 40, 12], [15, 6, 9]], total_row=True, total_column=True)
    cells = suppress(grid, rows_add_up=True, columns_add_up=True)
    for line in lines(grid, rows_add_up=True, columns_add_up=True):
        hidden = [(r, c) for r, c in line if cells[r][c].hidden]
        assert len(hidden) != 1, f"line {line} gives away {hidden}"


def test_shown_cells_are_the_true_counts():
    grid = with_totals([[3, 40, 12], [15, 6, 9]], total_row=True, total_column=True)
    cells = suppress(grid, rows_add_up=True, columns_add_up=True)
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            assert cell.hidden or cell.value == grid[r][c]


@pytest.mark.parametrize("seed", range(40))
def test_no_line_ever_ends_with_exactly_one_hidden_cell(seed):
    rng = random.Random(seed)
    for _ in range(25):
        height, width = rng.randint(1, 6), rng.randint(1, 6)
        # Mostly small numbers, some zeros, some large: the cases suppression has to handle.
        pool = [0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 30]
        counts = [[rng.choice(pool) for _c in range(width)] for _r in range(height)]
        total_row, total_column = rng.choice([(True, True), (True, False), (False, True), (False, False)])
        grid = with_totals(counts, total_row=total_row, total_column=total_column)
        cells = suppress(grid, rows_add_up=total_column, columns_add_up=total_row)
        context = f"seed {seed}: {grid} (total row {total_row}, total column {total_column})"
        assert len(cells) == len(grid) and all(len(a) == len(b) for a, b in zip(cells, grid, strict=True))
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if 0 < value < THRESHOLD:
                    assert cells[r][c].hidden, f"{value} at {r},{c} shown; {context}"
                if not cells[r][c].hidden:
                    assert cells[r][c].value == value, context
        for line in lines(grid, rows_add_up=total_column, columns_add_up=total_row):
            hidden = sum(cells[r][c].hidden for r, c in line)
            assert hidden == 0 or hidden >= 2, f"line {line} has one hidden cell; {context}"


@pytest.mark.parametrize("seed", range(10))
def test_the_table_applies_the_rule_to_its_totals(seed):
    rng = random.Random(1000 + seed)
    counts = [[rng.choice([0, 1, 3, 5, 8, 20]) for _c in range(4)] for _r in range(5)]
    table = Table(
        name="t",
        title="t",
        rows=list("abcde"),
        columns=list("wxyz"),
        counts=counts,
        total_row=True,
        total_column=True,
    )
    grid = with_totals(counts, total_row=True, total_column=True)
    assert values(table.cells) == values(suppress(grid, rows_add_up=True, columns_add_up=True))
    assert len(table.labels) == 6 and len(table.header) == 6
    for line in lines(grid, rows_add_up=True, columns_add_up=True):
        assert sum(table.cells[r][c].hidden for r, c in line) != 1


def test_the_table_series_and_rows_leave_out_the_totals():
    table = Table(
        name="t",
        title="t",
        rows=["a", "b"],
        columns=["x", "y"],
        counts=[[10, 20], [30, 40]],
        total_row=True,
        total_column=True,
    )
    assert [cell.value for cell in table.series(1)] == [20, 40]
    assert [cell.value for cell in table.row(1)] == [30, 40]
    assert [cell.value for cell in table.cells[-1]] == [40, 60, 100]


# --- Tables that count units, not people --------------------------------------------------------------


def test_a_table_of_groups_or_reports_shows_every_figure():
    table = Table(
        name="groups",
        title="Groups",
        rows=["a", "b"],
        columns=["x", "y"],
        counts=[[1, 2], [3, 0]],
        people=False,
        total_row=True,
        total_column=True,
    )
    assert values(table.cells) == [[1, 2, 3], [3, 0, 3], [4, 2, 6]]


def test_ready_made_cells_are_kept_as_they_are():
    table = Table(name="s", title="s", rows=["a"], columns=["x", "y"], cells=[[Cell(None), Cell(12.5)]], unit="%")
    assert values(table.cells) == [[None, 12.5]]


# --- Shares -------------------------------------------------------------------------------------------


def test_a_share_of_shown_figures():
    assert share(Cell(5), Cell(20)) == Cell(25.0)
    assert share(Cell(7), Cell(9)) == Cell(77.8)
    assert share(Cell(0), Cell(12)) == Cell(0.0)


@pytest.mark.parametrize(("part", "whole"), [(None, 20), (5, None), (None, None)])
def test_a_share_is_hidden_when_either_part_is_hidden(part, whole):
    assert share(Cell(part), Cell(whole)).hidden


def test_a_share_of_nobody_is_not_a_figure():
    assert share(Cell(0), Cell(0)).hidden


# --- Template filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (250, "250")])
def test_the_protected_filter(count, shown):
    assert protected(count) == shown


def test_the_figure_filter_uses_the_locales_decimal_separator():
    with translation.override("nb"):
        assert figure(Cell(12.5)) == "12,5"
        assert figure(Cell(12.0)) == "12,0"
        assert figure(Cell(None)) == "<5"
        assert figure(Cell(17)) == "17"
    with translation.override("en"):
        assert figure(Cell(12.5)) == "12.5"


def test_the_filters_in_a_template_escape_the_hidden_mark():
    template = Template("{% load privacy %}[{{ count|protected }}] [{{ big|protected }}] [{{ cell|figure }}]")
    with translation.override("nb"):
        rendered = template.render(Context({"count": 3, "big": 12, "cell": Cell(33.3)}))
    assert rendered == "[&lt;5] [12] [33,3]"


def test_a_zero_is_not_used_to_protect_a_small_cell_while_a_non_zero_one_can():
    # Row: 3 (hidden), 0, 40 | total 43. Hiding the zero would leave 3 = 43 - 40 - 0 guessable.
    cells = suppress([[3, 0, 40, 43]], rows_add_up=True, columns_add_up=False)
    assert [cell.hidden for cell in cells[0]] == [True, False, True, False]


def test_a_cell_hidden_from_the_start_is_protected_like_a_small_one():
    # The total (last cell) is hidden because another table would give it away: then one body
    # cell must go too, or the total is their sum.
    cells = suppress([[20, 30, 50]], rows_add_up=True, columns_add_up=False, hide={(0, 2)})
    assert [cell.hidden for cell in cells[0]] == [True, False, True]


def test_a_table_passes_its_hidden_cells_on():
    table = Table(
        name="t", title="t", rows=["a"], columns=["x", "y"], counts=[[20, 30]], total_column=True, hide={(0, 2)}
    )
    assert [cell.hidden for cell in table.cells[0]] == [True, False, True]
