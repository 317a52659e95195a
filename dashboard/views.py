"""The regional dashboard, the national overview and their tables as CSV and Excel.

Regional staff see their own region (with the national figures beside the region's where the
page compares them); admins see every region and the national overview. Anyone else gets 404.
The rendered figures are cached (dashboard.cache); the page around them is not.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from amnesty_portal import spreadsheets
from amnesty_portal.permissions import get_for, require, roles_of
from dashboard import cache, figures, todo
from regions.models import Region

FORMATS = {
    "csv": ("text/csv; charset=utf-8", spreadsheets.csv_bytes),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", spreadsheets.xlsx_bytes),
}


@require_safe
@login_required
def overview(request):
    """Admins: the national overview. Regional staff: their region's dashboard."""
    roles = roles_of(request.user)
    if not roles.is_admin:
        require(request.user, roles.is_regional_staff, "dashboard", request)
        region = Region.objects.filter(pk__in=roles.staff_region_ids).order_by("name").first()
        return redirect("dashboard:region", slug=region.slug)
    today = timezone.localdate()
    key = cache.key("national", translation.get_language(), today)
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "dashboard/_national.html",
            {
                "dashboard": figures.national(today),
                "todo": _todo_by_region(today),
                "export_base": "",
            },
            request=None,
        )
        cache.put(key, body)
    return render(request, "dashboard/page.html", {"body": body, "region": None})


def _todo_by_region(today):
    counts = todo.counts_by_region(today)
    regions = list(Region.objects.order_by("name"))
    return {
        "regions": regions,
        "rows": [(title, [counts[key].get(r.pk, 0) for r in regions]) for key, title in todo.TASK_TITLES.items()],
    }


@require_safe
@login_required
def region(request, slug):
    region = get_for(request.user, Region.objects.all(), slug=slug, request=request)
    today = timezone.localdate()
    key = cache.key("region", region.pk, translation.get_language(), today)
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "dashboard/_regional.html",
            {"dashboard": figures.regional(region, today), "tasks": todo.for_region(region, today)},
        )
        cache.put(key, body)
    return render(request, "dashboard/page.html", {"body": body, "region": region})


@require_safe
@login_required
def export(request, table, fmt, slug=None):
    if slug is None:
        require(request.user, roles_of(request.user).is_admin, "national dashboard export", request)
        dashboard = figures.national()
        scope = "norge"
    else:
        region = get_for(request.user, Region.objects.all(), slug=slug, request=request)
        dashboard = figures.regional(region)
        scope = region.slug
    found = dashboard.tables.get(table)
    if found is None or fmt not in FORMATS:
        raise Http404("No such table.")
    content_type, write = FORMATS[fmt]
    response = HttpResponse(write(found), content_type=content_type)
    filename = f"{table.replace('_', '-')}-{scope}-{dashboard.today.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
