"""People: one's own profile, the people a role may see, and the member-register import page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from activists import services
from activists.forms import ProfileForm
from activists.models import User
from amnesty_portal.permissions import get_for, require, roles_of


@login_required
def profile(request):
    person = get_for(
        request.user,
        User.objects.select_related("postal_code__municipality__county__region"),
        write=True,
        pk=request.user.pk,
    )
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        services.update_profile(actor=request.user, person=person, form=form)
        messages.success(request, _("Your profile is saved."))
        return redirect("activists:profile")
    return render(request, "activists/profile.html", {"form": form, "person": person})


@require_safe
@login_required
def person_list(request):
    roles = roles_of(request.user)
    require(request.user, roles.is_admin or roles.is_regional_staff or roles.is_group_officer, "person list", request)
    people = User.objects.visible_to(request.user).select_related("postal_code__municipality__county__region")
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
            | Q(membership_number=query)
        )
    status = request.GET.get("status", "")
    if status in User.Membership.values:
        people = people.filter(membership_status=status)
    page = Paginator(people.order_by("last_name", "first_name", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "activists/person_list.html",
        {"page": page, "query": query, "status": status, "statuses": User.Membership.choices},
    )


@require_safe
@login_required
def person_detail(request, pk):
    person = get_for(
        request.user, User.objects.select_related("postal_code__municipality__county__region"), pk=pk, request=request
    )
    memberships = person.group_memberships.select_related("group").order_by("-joined_on")
    offices = person.offices.select_related("group").order_by("-started_on")
    events = person.membership_events.all()[:20]
    return render(
        request,
        "activists/person_detail.html",
        {"person": person, "memberships": memberships, "offices": offices, "events": events},
    )


@login_required
def import_members(request):
    require(request.user, roles_of(request.user).is_admin, "member import", request)
    return render(request, "activists/import_members.html", {})
