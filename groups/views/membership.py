"""What a group's officers and members do: details, statutes, offices, join requests, leaving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amnesty_portal.permissions import get_for, require, roles_of
from groups import services
from groups.forms import AnswerForm, GroupEditForm, JoinRequestForm, OfficeForm, RevisionForm, StoppingForm
from groups.models import Group, JoinRequest, Office
from groups.views.common import form_error


def _group_to_change(request, pk):
    return get_for(
        request.user, Group.objects.select_related("region", "municipality"), pk=pk, write=True, request=request
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit(request, pk):
    group = _group_to_change(request, pk)
    form = GroupEditForm(request.POST if request.method == "POST" else None, instance=group)
    revision_form = RevisionForm(
        request.POST if request.method == "POST" else None, initial={"revision": group.revision}
    )
    if request.method == "POST" and form.is_valid() and revision_form.is_valid():
        try:
            services.update_group(
                actor=request.user, group=group, form=form, revision=revision_form.cleaned_data["revision"]
            )
        except services.GroupError as exc:
            form_error(form, exc, revision_form)
        else:
            messages.success(request, _("The group's details are saved."))
            return redirect(group)
    return render(request, "groups/edit.html", {"group": group, "form": form, "revision_form": revision_form})


@require_POST
@login_required
def accept_statutes(request, pk):
    group = _group_to_change(request, pk)
    try:
        acceptance = services.accept_statutes(actor=request.user, group=group)
    except services.GroupError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The group has accepted version %(version)s.") % {"version": acceptance.version.version}
        )
    return redirect(group)


@require_http_methods(["GET", "POST"])
@login_required
def offices(request, pk):
    group = _group_to_change(request, pk)
    form = OfficeForm(
        request.POST if request.method == "POST" else None, group=group, initial={"revision": group.revision}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            office = services.assign_office(
                actor=request.user,
                group=group,
                person=data["person"],
                kind=data["kind"],
                title=data["title"],
                started_on=data["started_on"],
                revision=data["revision"],
            )
        except services.GroupError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now %(office)s. The regional leader has been told.")
                % {"name": office.person, "office": office.label},
            )
            return redirect("groups:offices", pk=group.pk)
    current = Office.objects.current().filter(group=group).select_related("person").order_by("kind", "started_on")
    return render(request, "groups/offices.html", {"group": group, "form": form, "current": current})


@require_POST
@login_required
def end_office(request, pk):
    office = get_object_or_404(Office.objects.select_related("group"), pk=pk)
    _group_to_change(request, office.group_id)
    try:
        services.end_office(actor=request.user, office=office)
    except services.GroupError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s no longer holds the office.") % {"name": office.person})
    return redirect("groups:offices", pk=office.group_id)


@require_http_methods(["GET", "POST"])
@login_required
def join(request, pk):
    """Ask to join a recognised open group: any logged-in person may, for any such group."""
    group = get_object_or_404(
        Group.objects.recognised().filter(is_open=True).select_related("region", "municipality"), pk=pk
    )
    form = JoinRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_to_join(actor=request.user, group=group, message=form.cleaned_data["message"])
        except services.GroupError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your request is sent. The group's contact person will answer you by email."))
            return redirect("groups:directory")
    is_member = group.pk in roles_of(request.user).member_group_ids
    context = {"group": group, "form": form, "is_member": is_member}
    if not services.may_join_groups(request.user):
        context["not_member"] = services.membership_required_message()
    return render(request, "groups/join.html", context)


@require_POST
@login_required
def answer_join_request(request, pk):
    join_request = get_object_or_404(JoinRequest.objects.select_related("group", "person"), pk=pk)
    group = _group_to_change(request, join_request.group_id)
    form = AnswerForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if request.POST.get("decision") not in ("accept", "decline") or not form.is_valid():
        messages.error(request, _("Choose whether to accept or decline the request."))
        return redirect(group)
    try:
        services.answer_join_request(
            actor=request.user, join_request=join_request, accept=accept, answer=form.cleaned_data["answer"]
        )
    except services.GroupError as exc:
        messages.error(request, exc.message)
    else:
        text = _("%(name)s is now a member.") if accept else _("You declined %(name)s's request.")
        messages.success(request, text % {"name": join_request.person})
    return redirect(group)


@require_POST
@login_required
def withdraw_join_request(request, pk):
    join_request = get_object_or_404(JoinRequest, pk=pk, person=request.user)
    services.withdraw_join_request(actor=request.user, join_request=join_request)
    messages.success(request, _("Your request to join is withdrawn."))
    return redirect("groups:directory")


@require_http_methods(["GET", "POST"])
@login_required
def leave(request, pk):
    group = get_for(request.user, Group.objects.select_related("region"), pk=pk, request=request)
    require(request.user, group.pk in roles_of(request.user).member_group_ids, f"leave group {pk}", request)
    if request.method == "POST":
        try:
            services.leave_group(actor=request.user, group=group)
        except services.GroupError as exc:
            messages.error(request, exc.message)
            return redirect(group)
        messages.success(request, _("You have left %(name)s.") % {"name": group.name})
        return redirect("home")
    offices = Office.objects.current().filter(group=group, person=request.user)
    return render(request, "groups/leave.html", {"group": group, "offices": offices})


@require_http_methods(["GET", "POST"])
@login_required
def report_stopping(request, pk):
    group = _group_to_change(request, pk)
    form = StoppingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_stopping(actor=request.user, group=group, reason=form.cleaned_data["reason"])
        except services.GroupError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The secretariat has been told that the group is stopping its work."))
            return redirect(group)
    return render(request, "groups/stopping.html", {"group": group, "form": form})
