"""The guided "engage locally" flow: five public steps sent by GET, so that the results page's
address carries the answers (and nothing personal) and can be shared; the actions on it need an
account."""

import dataclasses
import functools
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from activists import engage
from activists.engage import Answers
from activists.forms_engage import STEP_FORMS
from activists.models import IndividualActivist, Mode, TimeOnOffer
from amnesty_portal.permissions import roles_of
from groups.models import Group, JoinRequest
from groups.services import BECOME_MEMBER_URL, GroupError, may_join_groups


@dataclasses.dataclass(frozen=True)
class Step:
    number: int
    url_name: str
    title: str
    fields: tuple[str, ...]


STEPS = [
    Step(1, "engage:start", gettext_lazy("Where do you live?"), ("postal_code",)),
    Step(2, "engage:modes", gettext_lazy("How would you like to take part?"), ("modes",)),
    Step(3, "engage:time", gettext_lazy("How much time do you have?"), ("time",)),
    Step(4, "engage:themes", gettext_lazy("Which themes matter to you?"), ("themes",)),
    Step(5, "engage:family", gettext_lazy("Activities for the whole family?"), ("family",)),
]


def _url(name: str, answers: Answers, **kwargs) -> str:
    query = answers.as_query()
    path = reverse(name, kwargs=kwargs or None)
    return f"{path}?{query}" if query else path


def _hidden(answers: Answers, leave_out: tuple[str, ...]) -> list[tuple[str, str]]:
    """The other steps' answers, carried along as hidden fields of this step's GET form."""
    blank = Answers()
    kept = dataclasses.replace(answers, **{field: getattr(blank, field) for field in leave_out})
    return parse_qsl(kept.as_query())


@require_safe
def step(request, number):
    current = STEPS[number - 1]
    shortcut_url = None
    answers = Answers.from_query(request.GET)
    form_class = STEP_FORMS[number]
    kwargs = {"themes": list(engage.current_themes())} if number == 4 else {}
    if request.GET.get("sent"):
        form = form_class(request.GET, **kwargs)
        if form.is_valid():
            answers = dataclasses.replace(answers, **form.cleaned_data)
            if number == len(STEPS):
                return redirect(_url("engage:results", answers))
            return redirect(_url(STEPS[number].url_name, answers))
    else:
        initial = {field: getattr(answers, field) for field in current.fields}
        if number == 1 and not answers.postal_code and request.user.is_authenticated and request.user.postal_code_id:
            initial["postal_code"] = request.user.postal_code_id
            shortcut_url = engage.flow_url(Answers(postal_code=request.user.postal_code_id))
        if number == 5:
            initial["family"] = "1" if answers.family else "0"
        form = form_class(initial=initial, **kwargs)
    context = {
        "step": current,
        "steps": STEPS,
        "total": len(STEPS),
        "form": form,
        "hidden": _hidden(answers, current.fields),
        "back_url": _url(STEPS[number - 2].url_name, answers) if number > 1 else None,
        "place": engage.find_place(answers.postal_code) if number > 1 else None,
        "start_url": _url("engage:start", answers),
        "shortcut_url": shortcut_url,
    }
    return render(request, "activists/engage/step.html", context)


def _results_context(request, answers: Answers) -> dict:
    suggestions = engage.suggest(answers)
    user = request.user
    context = {
        "answers": answers,
        "suggestions": suggestions,
        "share_url": request.build_absolute_uri(_url("engage:results", answers)),
        "query": answers.as_query(),
        "change_urls": [(step, _url(step.url_name, answers)) for step in STEPS],
        "steps": STEPS,
        "time_label": dict(TimeOnOffer.choices).get(answers.time, ""),
        "mode_labels": [label for value, label in Mode.choices if value in answers.modes],
        "become_member_url": BECOME_MEMBER_URL,
        "register_url": reverse("groups:register"),
        "may_join_groups": may_join_groups(user),
        "activist": None,
        "chosen_idea_ids": set(),
        "asked_group_ids": set(),
        "member_group_ids": set(),
    }
    if user.is_authenticated:
        activist = IndividualActivist.objects.filter(person=user).prefetch_related("ideas").first()
        context["activist"] = activist
        if activist:
            context["chosen_idea_ids"] = {idea.pk for idea in activist.ideas.all()}
        context["asked_group_ids"] = set(
            JoinRequest.objects.pending().filter(person=user).values_list("group_id", flat=True)
        )
        context["member_group_ids"] = set(roles_of(user).member_group_ids)
        context["meeting_place_url"] = settings.DIGITAL_MEETING_PLACE_URL
    else:
        next_url = _url("engage:results", answers)
        context["login_url"] = f"{reverse('account_login')}?{urlencode({'next': next_url})}"
        context["signup_url"] = f"{reverse('account_signup')}?{urlencode({'next': next_url})}"
    return context


@require_safe
def results(request):
    answers = Answers.from_query(request.GET)
    return render(request, "activists/engage/results.html", _results_context(request, answers))


def _action(view):
    """POST only; a visitor without an account is sent to log in (or sign up) and then back to the
    results with the same answers, where the button waits for them."""

    @require_POST
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        answers = Answers.from_query(request.GET)
        if not request.user.is_authenticated:
            messages.info(request, _("Log in or create an account first. Your answers are kept."))
            next_url = _url("engage:results", answers)
            return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        return view(request, answers, *args, **kwargs)

    return wrapper


@_action
def join_group(request, answers, pk):
    group = get_object_or_404(Group.objects.recognised().filter(is_open=True), pk=pk)
    try:
        engage.ask_to_join(actor=request.user, group=group)
    except GroupError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Your request to join %(group)s is sent. The group's contact person will answer you by email.")
            % {"group": group.name},
        )
    return redirect(_url("engage:results", answers) + "#groups")


@_action
def sign_up(request, answers):
    idea_ids = [int(value) for value in request.POST.getlist("ideas") if value.isdigit()]
    activist_before = IndividualActivist.objects.filter(person=request.user).exists()
    engage.sign_up_as_activist(actor=request.user, answers=answers, idea_ids=idea_ids)
    if activist_before:
        messages.success(request, _("Your interests and chosen activities are saved."))
    else:
        messages.success(
            request,
            _(
                "Welcome! You are signed up as an individual activist. "
                "Your regional leader can now invite you to meetings."
            ),
        )
    return redirect(_url("engage:results", answers) + "#activities")


@_action
def meeting_place(request, answers):
    engage.join_meeting_place(actor=request.user)
    messages.success(
        request, _("You are in the digital meeting place. Use the link below to meet the other activists.")
    )
    return redirect(_url("engage:results", answers) + "#meeting-place")
