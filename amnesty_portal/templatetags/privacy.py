"""Template filters that show figures through the privacy rule (amnesty_portal.privacy)."""

from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from amnesty_portal.privacy import HIDDEN, Cell, Table, protect

register = template.Library()


@register.filter
def protected(count):
    """A lone count of people: "<5" below five."""
    return figure(protect(count))


@register.filter
def figure(cell: Cell):
    """A protected cell, with the locale's decimal separator: "<5", "1 234" or "12,5"."""
    if cell.hidden:
        return HIDDEN
    if isinstance(cell.value, float):
        return number_format(cell.value, 1)
    return number_format(cell.value)


@register.simple_tag
def table_rows(table: Table):
    """The body rows of a figure table: a row header, then each cell through ``figure``.

    Built here rather than in a template loop: a dashboard holds some 600 cells, and the loop's
    variable lookups cost several times the figures themselves.
    """
    unit = f"&nbsp;{conditional_escape(table.unit)}" if table.unit else ""
    rows = []
    for label, cells in table.body:
        tds = "".join(
            f'<td class="text-end">{HIDDEN_HTML}</td>'
            if cell.hidden
            else f'<td class="text-end">{conditional_escape(figure(cell))}{unit}</td>'
            for cell in cells
        )
        rows.append(f'<tr><th scope="row" class="fw-normal">{conditional_escape(label)}</th>{tds}</tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 -- every piece above is escaped


HIDDEN_HTML = conditional_escape(HIDDEN)
