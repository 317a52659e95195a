"""The secretariat's urgent actions: the list, writing a draft, previewing who gets it and the
email itself, sending it once, and following its delivery. Admins only; anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amnesty_portal.permissions import require_admin
from campaigns import alerts
from campaigns.forms import AlertForm, AudienceForm, SendForm
from campaigns.models import ActionAlert


def _alert(request, pk) -> ActionAlert:
    require_admin(request, f"urgent action {pk}")
    return get_object_or_404(ActionAlert.objects.select_related("created_by", "sent_by"), pk=pk)


def _refused(form, exc: alerts.AlertError):
    """Show the service's refusal on the form; a stale form shown again carries the current
    revision, so saving it once more, after a look, is deliberate."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    if exc.revision is not None and form.is_bound:
        form.data = form.data.copy()
        form.data["revision"] = exc.revision


def _if_sent(request, alert):
    """A sent alert can no longer be changed: its page is where to go."""
    if alert.status == ActionAlert.Status.SENT:
        messages.info(request, _("This urgent action has been sent; it can no longer be changed."))
        return redirect("campaigns:alert_detail", alert.pk)
    return None


@require_safe
@login_required
def alert_list(request):
    require_admin(request, "urgent actions")
    page = Paginator(ActionAlert.objects.select_related("created_by", "sent_by"), 50).get_page(request.GET.get("page"))
    return render(request, "campaigns/alert_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def alert_new(request):
    require_admin(request, "new urgent action")
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        alert = alerts.create_alert(actor=request.user, data=form.cleaned_data)
        messages.success(request, _("The draft is saved. Check who gets it and how it reads before you send it."))
        return redirect("campaigns:alert_preview", alert.pk)
    return render(request, "campaigns/alert_form.html", {"form": form, "alert": None})


@require_http_methods(["GET", "POST"])
@login_required
def alert_edit(request, pk):
    alert = _alert(request, pk)
    if response := _if_sent(request, alert):
        return response
    form = AlertForm(request.POST or None, instance=alert, initial={"revision": alert.revision})
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            alerts.update_alert(
                actor=request.user, alert=alert, revision=form.cleaned_data["revision"], data=form.cleaned_data
            )
        except alerts.AlertError as exc:
            _refused(form, exc)
            # The version saved meanwhile, shown beside the admin's own text, which the form keeps.
            current = ActionAlert.objects.prefetch_related("regions", "themes").get(pk=alert.pk)
            if current.status == ActionAlert.Status.SENT:
                return _if_sent(request, current)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("campaigns:alert_preview", alert.pk)
    return render(request, "campaigns/alert_form.html", {"form": form, "alert": alert, "current": current})


@require_http_methods(["GET", "POST"])
@login_required
def alert_preview(request, pk):
    """The email as people will get it and how many will, for the saved choice of regions and
    themes or, after "Update preview", for another one, which the admin may then keep."""
    alert = _alert(request, pk)
    if response := _if_sent(request, alert):
        return response
    saved_regions, saved_themes = alerts.chosen(alert)
    if request.method == "POST":
        form = AudienceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                alerts.update_alert(
                    actor=request.user,
                    alert=alert,
                    revision=data["revision"],
                    data={"regions": data["regions"], "themes": data["themes"]},
                )
            except alerts.AlertError as exc:
                _refused(form, exc)
                alert.refresh_from_db()
                saved_regions, saved_themes = alerts.chosen(alert)
            else:
                messages.success(request, _("Who gets it is saved."))
                return redirect("campaigns:alert_preview", alert.pk)
    elif "update" in request.GET:
        form = AudienceForm(request.GET)
        form.is_valid()
    else:
        form = AudienceForm(initial={"regions": saved_regions, "themes": saved_themes})
    data = getattr(form, "cleaned_data", {})
    if "regions" in data and "themes" in data:
        region_ids = sorted(region.pk for region in data["regions"])
        theme_ids = sorted(theme.pk for theme in data["themes"])
    else:
        region_ids, theme_ids = saved_regions, saved_themes
    return render(
        request,
        "campaigns/alert_preview.html",
        {
            "alert": alert,
            "form": form,
            # A choice other than the saved one is previewed, not kept: the page offers to keep it
            # (a POST carrying the revision the page was built on) before it can be sent.
            "unsaved": (region_ids, theme_ids) != (saved_regions, saved_themes),
            "region_ids": region_ids,
            "theme_ids": theme_ids,
            "count": alerts.preview_count(region_ids, theme_ids),
            "email": alerts.render_preview(alert, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def alert_send(request, pk):
    """The confirmation step, then sending. A second click, or a second admin, is told it is done."""
    alert = _alert(request, pk)
    if request.method == "GET" and (response := _if_sent(request, alert)):
        return response
    form = SendForm(request.POST or None, initial={"revision": alert.revision})
    if request.method == "POST" and form.is_valid():
        try:
            alert = alerts.send_alert(actor=request.user, alert=alert, revision=form.cleaned_data["revision"])
        except alerts.AlertError as exc:
            alert.refresh_from_db()
            if alert.status == ActionAlert.Status.SENT:
                messages.info(request, exc.message)
                return redirect("campaigns:alert_detail", alert.pk)
            _refused(form, exc)
        else:
            messages.success(request, _("The urgent action is on its way."))
            return redirect("campaigns:alert_detail", alert.pk)
    return render(
        request,
        "campaigns/alert_send.html",
        {"alert": alert, "form": form, "count": alerts.preview_count(*alerts.chosen(alert))},
    )


@require_safe
@login_required
def alert_detail(request, pk):
    alert = _alert(request, pk)
    regions = alert.regions.order_by("name")
    themes = alert.themes.all()
    progress = alerts.progress(alert) if alert.status == ActionAlert.Status.SENT else None
    return render(
        request,
        "campaigns/alert_detail.html",
        {"alert": alert, "regions": regions, "themes": themes, "progress": progress},
    )
