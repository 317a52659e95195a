"""People: one's own profile, the people a role may see, and the member-register import page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activists import member_import, services
from activists.forms import MemberImportConfirmForm, MemberImportForm, ProfileForm
from activists.models import User
from amnesty_portal.permissions import get_for, require, roles_of

# The session names the uploaded file awaiting confirmation; the browser never sends a path.
IMPORT_SESSION_KEY = "member_import_token"


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


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_members(request):
    """Step one: upload the register's CSV export and see what importing it would do."""
    require(request.user, roles_of(request.user).is_admin, "member import", request)
    form = MemberImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        token, preview = member_import.preview_upload(
            actor=request.user,
            uploaded=form.cleaned_data["file"],
            replacing=request.session.pop(IMPORT_SESSION_KEY, ""),
        )
        if token is None:
            form.add_error("file", preview.file_error)
        else:
            request.session[IMPORT_SESSION_KEY] = token
            context.update(
                form=MemberImportForm(),
                report=preview,
                confirm_form=MemberImportConfirmForm(initial={"token": token}),
            )
    return render(request, "activists/import_members.html", context)


@require_POST
@login_required
def import_members_confirm(request):
    """Step two: import the file previewed in step one (the session names it), and show the result."""
    require(request.user, roles_of(request.user).is_admin, "member import", request)
    form = MemberImportConfirmForm(request.POST)
    token = request.session.get(IMPORT_SESSION_KEY)
    result = None
    if form.is_valid() and token and form.cleaned_data["token"] == token:
        del request.session[IMPORT_SESSION_KEY]
        result = member_import.import_upload(actor=request.user, token=token)
    if result is None:
        messages.error(request, _("There is no previewed file to import. Upload the file again."))
        return redirect("activists:import_members")
    if result.file_error:
        messages.error(request, result.file_error)
        return redirect("activists:import_members")
    return render(request, "activists/import_members.html", {"form": MemberImportForm(), "report": result})
