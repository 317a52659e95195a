"""Registering a new group, the review queue of registrations, and answering an invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amnesty_portal.permissions import get_for, require, roles_of, supervises
from groups import services
from groups.forms import GroupRegistrationForm, ReasonForm, RevisionForm
from groups.models import Group, Invitation, Office
from groups.views.common import attempt


@require_http_methods(["GET", "POST"])
@login_required
def register(request):
    form = GroupRegistrationForm(request.POST if request.method == "POST" else None, registrant=request.user)
    may_register = request.user.is_member
    if request.method == "POST" and may_register and form.is_valid():
        data = form.cleaned_data
        group = services.register_group(
            actor=request.user, data=data, contact=form.contact, invite_emails=data["invitations"]
        )
        messages.success(
            request,
            _("%(name)s is registered. The regional leader will look at it soon; you get an email when it is approved.")
            % {"name": group.name},
        )
        return redirect(group)
    return render(request, "groups/register.html", {"form": form, "may_register": may_register})


def _reviewable(user):
    roles = roles_of(user)
    groups = Group.objects.all()
    if not roles.is_admin:
        groups = groups.filter(region_id__in=roles.leader_region_ids)
    return groups


@require_safe
@login_required
def registrations(request):
    roles = roles_of(request.user)
    require(request.user, roles.is_admin or roles.is_regional_leader, "registrations", request)
    contacts = Office.objects.current().filter(kind=Office.Kind.CONTACT).select_related("person")
    pending = (
        _reviewable(request.user)
        .filter(status=Group.Status.PENDING)
        .select_related("region", "municipality", "registered_by")
        .prefetch_related("priority_areas", Prefetch("offices", queryset=contacts, to_attr="contact_offices"))
        .with_member_count()
        .annotate(invitation_count=Count("invitations"))
        .order_by("registered_at", "pk")
    )
    recent = (
        _reviewable(request.user)
        .filter(decided_at__isnull=False, registered_at__isnull=False)
        .select_related("region")
        .order_by("-decided_at")[:10]
    )
    return render(
        request,
        "groups/registrations.html",
        {"pending": pending, "recent": recent, "revision_form_class": RevisionForm},
    )


def _get_for_review(request, pk):
    group = get_for(request.user, Group.objects.select_related("region"), pk=pk, request=request)
    require(request.user, supervises(request.user, group), f"review group {pk}", request)
    return group


@require_POST
@login_required
def approve(request, pk):
    group = _get_for_review(request, pk)
    form = RevisionForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else None
    try:
        services.approve_group(actor=request.user, group=group, revision=revision)
    except services.GroupError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is approved and recognised. The contact person gets a welcome email.") % {"name": group.name},
        )
    return redirect("groups:registrations")


@require_http_methods(["GET", "POST"])
@login_required
def reject(request, pk):
    group = _get_for_review(request, pk)
    label = _("Why is the registration rejected?")
    help_text = _("The person who registered the group sees this.")
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        initial={"revision": group.revision},
        label=label,
        help_text=help_text,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            services.reject_group,
            actor=request.user,
            group=group,
            reason=form.cleaned_data["reason"],
            revision=form.cleaned_data["revision"],
        )
    ):
        messages.success(request, _("The registration of %(name)s is rejected.") % {"name": group.name})
        return redirect("groups:registrations")
    return render(request, "groups/reject.html", {"group": group, "form": form})


def _invitation(token):
    return get_object_or_404(Invitation.objects.select_related("group", "person", "invited_by"), token=token)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link in an invitation email. Someone without a password chooses one here: the token
    proves the address is theirs. Everyone else logs in and answers."""
    invitation = _invitation(token)
    person = invitation.person
    if request.user.is_authenticated and request.user != person:
        raise Http404  # someone else's invitation: don't reveal it
    needs_password = person is not None and not person.has_usable_password() and not request.user.is_authenticated
    if not request.user.is_authenticated and not needs_password:
        return redirect_to_login(request.get_full_path())
    password_form = (
        SetPasswordForm(person, request.POST if request.method == "POST" else None) if needs_password else None
    )
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if needs_password:
                if not password_form.is_valid():
                    return render(
                        request, "groups/invitation.html", {"invitation": invitation, "password_form": password_form}
                    )
                # Log in the account as saved with its new password: the session carries a hash of
                # it, and a stale one logs the person out on the next page.
                person = services.set_invited_password(
                    invitation=invitation, password=password_form.cleaned_data["new_password1"]
                )
                login(request, person, backend=settings.AUTHENTICATION_BACKENDS[0])
                answer = "accept"
            if answer == "accept":
                services.accept_invitation(invitation=invitation, person=person)
                messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.group.name})
                return redirect(invitation.group)
            if answer == "decline":
                services.decline_invitation(invitation=invitation, person=person)
                messages.info(request, _("You declined the invitation to %(name)s.") % {"name": invitation.group.name})
                return redirect("home")
        except services.GroupError as exc:
            messages.error(request, exc.message)
            return redirect("home")
    return render(request, "groups/invitation.html", {"invitation": invitation, "password_form": password_form})
