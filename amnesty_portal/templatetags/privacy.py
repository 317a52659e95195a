"""Template filters that show figures through the privacy rule (amnesty_portal.privacy)."""

from django import template
from django.utils.formats import number_format

from amnesty_portal.privacy import HIDDEN, Cell, protect

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
