"""Each person's own data: the "My data" page and its JSON download, asking to be erased, and the
secretariat's list of erasure requests. The person's own pages work on request.user alone: there
is no address with a person's number in it to try."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activists import own_data
from activists.forms_own_data import ConfirmErasureForm, ErasureRequestForm, RefuseErasureForm
from activists.models import ErasureRequest
from amnesty_portal.permissions import require_admin


@require_safe
@never_cache
@login_required
def my_data(request):
    export = own_data.export_person(request.user)
    details, sections = own_data.readable(export)
    return render(
        request,
        "activists/own_data/my_data.html",
        {"details": details, "sections": sections, "pending": own_data.pending_request(request.user)},
    )


@require_safe
@never_cache
@login_required
def my_data_json(request):
    response = HttpResponse(own_data.export_json(request.user), content_type="application/json; charset=utf-8")
    filename = f"amnesty-portalen-mine-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def erasure(request):
    """Ask to be erased (or see the request waiting, and withdraw it)."""
    pending = own_data.pending_request(request.user)
    form = ErasureRequestForm(request.POST if request.method == "POST" and pending is None else None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            own_data.request_erasure(actor=request.user, person=request.user, reason=form.cleaned_data["reason"])
        except own_data.ErasureError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Your request is sent. The secretariat answers by email."))
            return redirect("activists:erasure")
    history = ErasureRequest.objects.filter(person=request.user).exclude(status=ErasureRequest.Status.PENDING)
    return render(
        request,
        "activists/own_data/erasure.html",
        {"form": form, "pending": pending, "history": history.order_by("-requested_at", "-pk")[:10]},
    )


@require_POST
@login_required
def erasure_withdraw(request):
    try:
        own_data.withdraw_erasure(actor=request.user, person=request.user)
    except own_data.ErasureError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your request to be erased is withdrawn. Your data stays as it is."))
    return redirect("activists:erasure")


@require_safe
@login_required
def erasure_requests(request):
    """The secretariat's list: requests waiting, each with what the person still holds."""
    require_admin(request, "erasure requests")
    pending = list(
        ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING)
        .select_related("person__postal_code__municipality")
        .order_by("requested_at", "pk")
    )
    blockers = own_data.blockers_for([erasure.person_id for erasure in pending])
    decided = (
        ErasureRequest.objects.exclude(status=ErasureRequest.Status.PENDING)
        .select_related("person", "decided_by")
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(
        request,
        "activists/own_data/erasure_requests.html",
        {"pending": [(erasure, blockers[erasure.person_id]) for erasure in pending], "decided": decided},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def erasure_decide(request, pk):
    """Confirm a request (the person is erased) or refuse it with an answer."""
    require_admin(request, f"erasure request {pk}")
    erasure = get_object_or_404(ErasureRequest.objects.select_related("person__postal_code__municipality"), pk=pk)
    if erasure.status != ErasureRequest.Status.PENDING:
        messages.info(request, _("This request has already been answered or withdrawn."))
        return redirect("activists:erasure_requests")
    decision = request.POST.get("decision") if request.method == "POST" else None
    confirm_form = ConfirmErasureForm(request.POST if decision == "erase" else None)
    refuse_form = RefuseErasureForm(request.POST if decision == "refuse" else None)
    try:
        if decision == "erase" and confirm_form.is_valid():
            own_data.confirm_erasure(actor=request.user, erasure=erasure)
            messages.success(request, _("The person's personal data is erased."))
            return redirect("activists:erasure_requests")
        if decision == "refuse" and refuse_form.is_valid():
            own_data.refuse_erasure(actor=request.user, erasure=erasure, answer=refuse_form.cleaned_data["answer"])
            messages.success(request, _("The request is refused, and the person is told why."))
            return redirect("activists:erasure_requests")
    except own_data.ErasureError as exc:
        form = refuse_form if exc.field == "answer" else confirm_form
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    blockers = own_data.blockers_for([erasure.person_id])[erasure.person_id]
    return render(
        request,
        "activists/own_data/erasure_decide.html",
        {"erasure": erasure, "blockers": blockers, "confirm_form": confirm_form, "refuse_form": refuse_form},
    )
