"""The rule for every figure about people: nothing about fewer than five is shown (seed 003).

Every aggregate the portal shows, charts or exports goes through this module:

- ``protect(count)`` for a lone count (a group's member count): below five it reads "<5";
- ``Table`` for a table of counts with totals: small cells are hidden (primary suppression), and
  where a hidden cell could be worked out from a total and the other cells of its row or column,
  the next smallest cell is hidden too (secondary suppression), until no hidden cell can be
  recovered by subtraction;
- ``share(part, whole)`` for a percentage: hidden when either count it is made of is hidden.

A hidden figure is a ``Cell`` whose ``value`` is None; it renders as "<5" in pages, CSV and Excel,
and as a gap (null) in charts. The true number never leaves this module in a hidden cell, so a
template, chart or export cannot leak it by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THRESHOLD = 5
HIDDEN = f"<{THRESHOLD}"


@dataclass(frozen=True)
class Cell:
    """A shown figure (``value``) or a hidden one (``value`` is None)."""

    value: int | float | None

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.value is None:
            return HIDDEN
        if isinstance(self.value, float):
            return f"{self.value:.1f}"
        return str(self.value)


def is_small(count: int) -> bool:
    """A count of 1–4 people: too few to show. Zero reveals nobody and is shown."""
    return 0 < count < THRESHOLD


def protect(count: int | None) -> Cell:
    """One count on its own, with no total beside it."""
    if count is None:
        return Cell(None)
    return Cell(None if is_small(count) else count)


def share(part: Cell, whole: Cell) -> Cell:
    """``part`` as a percentage of ``whole``, from figures that have already been protected."""
    if part.hidden or whole.hidden:
        return Cell(None)
    if not whole.value:  # a share of nobody is not a figure either
        return Cell(None)
    return Cell(round(100.0 * part.value / whole.value, 1))


@dataclass
class Table:
    """Counts in rows and columns, with totals added here, protected as a whole.

    ``counts[i][j]`` is the number of people (or of their activities) in row i and column j.
    ``total_column`` adds each row's sum (the columns must split the row's whole: genders,
    age bands); ``total_row`` adds each column's sum (the rows must split it: regions, types
    of activity; not quarters, where the same people recur). When ``people`` is False the
    figures count the organisation's units (groups, reports, contacts), not people, and are
    shown as they are. ``cells`` skips the counting: figures already protected (shares).
    """

    name: str
    title: str
    rows: list[str]
    columns: list[str]
    counts: list[list[int]] | None = None
    people: bool = True
    total_row: bool = False
    total_column: bool = False
    row_heading: str = ""
    total_label: str = ""
    unit: str = ""  # "%" for shares
    cells: list[list[Cell]] = field(default=None)
    # Cells (row, column) of the grid, totals included, to hide whatever their value: figures that
    # another table would give away by difference (see dashboard.figures).
    hide: set[tuple[int, int]] = field(default_factory=set)

    def __post_init__(self):
        if self.cells is not None:
            return
        grid = [list(row) for row in self.counts]
        if self.total_column:
            for row in grid:
                row.append(sum(row))
        if self.total_row:
            width = len(self.columns) + self.total_column
            grid.append([sum(column) for column in zip(*grid, strict=True)] if grid else [0] * width)
        if self.people:
            self.cells = suppress(grid, rows_add_up=self.total_column, columns_add_up=self.total_row, hide=self.hide)
        else:
            self.cells = [[Cell(value) for value in row] for row in grid]

    @property
    def header(self) -> list[str]:
        return [self.row_heading, *self.columns, *([self.total_label] if self.total_column else [])]

    @property
    def labels(self) -> list[str]:
        return [*self.rows, *([self.total_label] if self.total_row else [])]

    @property
    def body(self) -> list[tuple[str, list[Cell]]]:
        return list(zip(self.labels, self.cells, strict=True))

    def series(self, column: int) -> list[Cell]:
        """One column, without the total row: a chart's series."""
        return [row[column] for row in self.cells[: len(self.rows)]]

    def row(self, index: int) -> list[Cell]:
        """One row, without its total: a chart's series when the columns are quarters."""
        return self.cells[index][: len(self.columns)]


def suppress(
    grid: list[list[int]], *, rows_add_up: bool, columns_add_up: bool, hide: set[tuple[int, int]] = frozenset()
) -> list[list[Cell]]:
    """Hide small counts, then whatever would let them be recovered from the totals.

    With ``rows_add_up`` the last cell of each row is the row's total; with ``columns_add_up``
    the last row holds each column's total. Each such row or column is a line whose cells add up:
    a line with exactly one hidden cell gives that cell away, so the smallest shown non-zero cell
    of its body is hidden too (the total itself only when nothing else is left). Repeated until every
    line is safe. ``hide`` names cells hidden from the start, as if they were small.
    """
    hidden = [[is_small(value) or (r, c) in hide for c, value in enumerate(row)] for r, row in enumerate(grid)]
    lines = []
    if rows_add_up:
        lines += [[(r, c) for c in range(len(grid[r]))] for r in range(len(grid))]
    if columns_add_up and grid:
        lines += [[(r, c) for r in range(len(grid))] for c in range(len(grid[0]))]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[r][c] for r, c in line) != 1:
                continue
            # Hiding a zero protects little (everyone can guess an empty cell), so the smallest
            # non-zero cell of the body goes first, then a zero, and the total only as a last resort.
            shown = [(grid[r][c] == 0, grid[r][c], r, c) for r, c in line[:-1] if not hidden[r][c]]
            if not shown:
                shown = [(grid[r][c] == 0, grid[r][c], r, c) for r, c in line if not hidden[r][c]]
            if shown:
                *_, r, c = min(shown)
                hidden[r][c] = True
                changed = True
    return [[Cell(None if hidden[r][c] else value) for c, value in enumerate(row)] for r, row in enumerate(grid)]
