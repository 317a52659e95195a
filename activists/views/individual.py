"""Individual activists' own pages (profile, log), and the regional staff's: the activists of their
region, alumni, and gatherings with their invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from activists import individual
from activists.forms_individual import ActivistProfileForm, ActivityForm, GatheringForm, InviteForm, StopForm
from activists.models import ActivistActivity, Gathering, GatheringInvitation, IndividualActivist, Mode
from amnesty_portal.permissions import can_change, get_for, require, roles_of
from regions.models import Region

PER_PAGE = 50
MODE_LABELS = dict(Mode.choices)


def engage_url() -> str:
    """The guided engage-locally flow (its own part of the portal)."""
    try:
        return reverse("engage:start")
    except NoReverseMatch:
        return "/engasjer-deg/"


def _form_error(form, exc: individual.ActivistError):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- The activist's own pages ------------------------------------------------------------------------


def _own_profile(request) -> IndividualActivist:
    activist = individual.profile_of(request.user)
    if activist is None:
        raise Http404
    return activist


def _own_activity(request, pk) -> ActivistActivity:
    try:
        return ActivistActivity.objects.select_related("activist").get(
            pk=pk, activist__person=request.user, activist__stopped_at__isnull=True
        )
    except ActivistActivity.DoesNotExist:
        raise Http404 from None


@require_safe
@login_required
def my_activism(request):
    """The activist's profile and log; anyone else is shown the way into the engage-locally flow."""
    activist = (
        IndividualActivist.objects.active().filter(person=request.user).prefetch_related("themes", "ideas").first()
    )
    context = {"activist": activist, "engage_url": engage_url(), "is_member": request.user.is_member}
    if activist is not None:
        activities = activist.activities.select_related("idea", "priority_area").order_by("-date", "-pk")
        context.update(
            page=Paginator(activities, PER_PAGE).get_page(request.GET.get("page")),
            modes=[MODE_LABELS.get(mode, mode) for mode in activist.modes],
            ideas=[idea.localized("title") for idea in activist.ideas.all()],
        )
    return render(request, "activists/individual/my_activism.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit_profile(request):
    activist = _own_profile(request)
    form = ActivistProfileForm.for_activist(activist, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            individual.update_activist_profile(actor=request.user, activist=activist, data=form.cleaned_data)
        except individual.ActivistError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Your activist profile is saved."))
            return redirect("activists:my_activism")
    return render(request, "activists/individual/profile_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def stop(request):
    activist = _own_profile(request)
    form = StopForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            individual.stop_activist(actor=request.user, activist=activist)
        except individual.ActivistError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("You are no longer registered as an individual activist. Thank you for what you did!")
            )
            return redirect("activists:my_activism")
    return render(request, "activists/individual/stop.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def add_activity(request):
    return _activity_form(request, _own_profile(request), None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit_activity(request, pk):
    activity = _own_activity(request, pk)
    return _activity_form(request, activity.activist, activity)


def _activity_form(request, activist, activity):
    """A new entry in the activist's log (``activity`` None) or a change to one of theirs."""
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(data) if activity is None else ActivityForm.for_activity(activity, data)
    if request.method == "POST" and form.is_valid():
        try:
            if activity is None:
                individual.log_activity(actor=request.user, activist=activist, data=form.cleaned_data)
            else:
                individual.update_activity(actor=request.user, activity=activity, data=form.cleaned_data)
        except individual.ActivistError as exc:
            _form_error(form, exc)
        else:
            if activity is None:
                messages.success(request, _("The activity is logged. Thank you!"))
            else:
                messages.success(request, _("The activity is saved."))
            return redirect("activists:my_activism")
    return render(request, "activists/individual/activity_form.html", {"form": form, "activity": activity})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def delete_activity(request, pk):
    activity = _own_activity(request, pk)
    if request.method == "POST":
        individual.delete_activity(actor=request.user, activity=activity)
        messages.success(request, _("The activity is deleted from your log."))
        return redirect("activists:my_activism")
    return render(request, "activists/individual/activity_delete.html", {"activity": activity})


# --- The regional staff's pages ------------------------------------------------------------------------


def _require_staff(request, what):
    roles = roles_of(request.user)
    require(request.user, roles.is_admin or roles.is_regional_staff, what, request)
    return roles


def _region_filter(request):
    """The ?region=<slug> filter among the regions the person follows up: (region or None, regions)."""
    regions = list(Region.objects.visible_to(request.user).order_by("name"))
    chosen = next((region for region in regions if region.slug == request.GET.get("region")), None)
    return chosen, regions


@require_safe
@login_required
def activist_list(request):
    roles = _require_staff(request, "individual activists")
    region, regions = _region_filter(request)
    activists = individual.in_region(IndividualActivist.objects.visible_to(request.user).active(), region)
    only_silent = request.GET.get("stille") == "1"
    if only_silent:
        activists = individual.silent(activists)
    activists = (
        activists.select_related(individual.REGION_FIELD, "person__postal_code__municipality")
        .prefetch_related("themes")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    page = Paginator(activists, PER_PAGE).get_page(request.GET.get("page"))
    for activist in page:
        activist.mode_labels = [MODE_LABELS.get(mode, mode) for mode in activist.modes]
    return render(
        request,
        "activists/individual/activist_list.html",
        {
            "page": page,
            "region": region,
            "regions": regions,
            "only_silent": only_silent,
            "silent_since": individual.silent_since(),
            "is_leader": roles.is_admin or roles.is_regional_leader,
        },
    )


@require_safe
@login_required
def activist_detail(request, pk):
    _require_staff(request, "individual activist")
    activist = get_for(
        request.user,
        IndividualActivist.objects.select_related(
            individual.REGION_FIELD, "person__postal_code__municipality"
        ).prefetch_related("themes", "ideas"),
        pk=pk,
        request=request,
    )
    activities = activist.activities.select_related("idea", "priority_area", "region").order_by("-date", "-pk")[:20]
    invitations = (
        GatheringInvitation.objects.filter(person_id=activist.person_id)
        .filter(gathering__in=Gathering.objects.visible_to(request.user))
        .select_related("gathering")
        .order_by("-gathering__starts_at")[:20]
    )
    return render(
        request,
        "activists/individual/activist_detail.html",
        {
            "activist": activist,
            "person": activist.person,
            "modes": [MODE_LABELS.get(mode, mode) for mode in activist.modes],
            "ideas": [idea.localized("title") for idea in activist.ideas.all()],
            "activities": activities,
            "invitations": invitations,
            "is_silent": activist.last_heard_on < individual.silent_since(),
        },
    )


@require_safe
@login_required
def alumni(request):
    roles = _require_staff(request, "alumni")
    region, regions = _region_filter(request)
    if region is not None:
        people = individual.alumni(region=region)
    else:
        people = individual.alumni(region_ids=None if roles.is_admin else roles.staff_region_ids)
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "activists/individual/alumni.html", {"page": page, "region": region, "regions": regions})


# --- Gatherings -----------------------------------------------------------------------------------------


@require_safe
@login_required
def gathering_list(request):
    roles = _require_staff(request, "gatherings")
    gatherings = (
        Gathering.objects.visible_to(request.user)
        .select_related("region")
        .annotate(invited=Count("invitations"))
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(gatherings, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "activists/individual/gathering_list.html",
        {"page": page, "may_create": roles.is_admin or roles.is_regional_leader, "now": timezone.now()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def gathering_new(request):
    roles = roles_of(request.user)
    require(request.user, roles.is_admin or roles.is_regional_leader, "new gathering", request)
    regions = Region.objects.order_by("name")
    if not roles.is_admin:
        regions = regions.filter(pk__in=roles.leader_region_ids)
    form = GatheringForm(request.POST if request.method == "POST" else None, regions=regions, is_admin=roles.is_admin)
    if request.method == "POST" and form.is_valid():
        try:
            gathering = individual.create_gathering(
                actor=request.user, data=form.cleaned_data, region=form.cleaned_data.get("region")
            )
        except individual.ActivistError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The gathering is created. Now invite the activists."))
            return redirect("activists:gathering_invite", pk=gathering.pk)
    return render(request, "activists/individual/gathering_form.html", {"form": form})


def _invitations_seen_by(user, gathering):
    """The invitations to a gathering the person may see: for regional staff, their region's people."""
    invitations = gathering.invitations.select_related("person__postal_code__municipality", "invited_by")
    roles = roles_of(user)
    if not roles.is_admin and gathering.region_id is None:
        invitations = invitations.filter(**{f"{individual.REGION_FIELD}_id__in": list(roles.staff_region_ids)})
    return invitations.order_by("person__last_name", "person__first_name", "pk")


@require_safe
@login_required
def gathering_detail(request, pk):
    _require_staff(request, "gathering")
    gathering = get_for(request.user, Gathering.objects.select_related("region", "created_by"), pk=pk, request=request)
    invitations = Paginator(_invitations_seen_by(request.user, gathering), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "activists/individual/gathering_detail.html",
        {"gathering": gathering, "page": invitations, "may_invite": can_change(request.user, gathering)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def gathering_invite(request, pk):
    """Choose whom to invite, see how many that is, then send: a preview before anything is sent."""
    _require_staff(request, "gathering invitations")
    gathering = get_for(request.user, Gathering.objects.select_related("region"), pk=pk, write=True, request=request)
    roles = roles_of(request.user)
    candidates = individual.invitation_candidates(
        gathering, region_ids=None if roles.is_admin else roles.leader_region_ids
    ).select_related("person__postal_code__municipality")
    form = InviteForm(request.POST if request.method == "POST" else None, candidates=candidates)
    context = {"gathering": gathering, "form": form, "preview": None}
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        if form.cleaned_data["confirm"]:
            invited = individual.invite_to_gathering(actor=request.user, gathering=gathering, activists=chosen)
            messages.success(
                request,
                _("%(count)s activists are invited.") % {"count": len(invited)}
                if invited
                else _("Nobody new to invite: everyone chosen was invited before."),
            )
            return redirect("activists:gathering_detail", pk=gathering.pk)
        context["preview"] = individual.preview_invitations(gathering, chosen)
        context["chosen_ids"] = [activist.pk for activist in form.cleaned_data["activists"]]
    counts = individual.preview_invitations(gathering, candidates)
    context.update(not_invited=counts.new, invited_before=counts.already)
    return render(request, "activists/individual/gathering_invite.html", context)
