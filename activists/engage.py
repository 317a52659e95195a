"""Engage locally (seed 000): what a person can do where they live, from a few answers, and the
actions the guided flow offers: sign up as an individual activist, join the digital meeting place,
ask to join a group."""

import copy
import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activists.models import ActivityIdea, IndividualActivist, Mode, TimeOnOffer, User
from amnesty_portal import audit
from groups.models import Group, JoinRequest, PriorityArea
from groups.services import request_to_join
from regions.models import Municipality, PostalCode

# Every group in the person's county is shown; groups elsewhere in the region fill up to this many.
GROUP_LIMIT = 10
_POSTAL_CODE = re.compile(r"^\d{4}$")


@dataclasses.dataclass
class Answers:
    """A person's answers in the guided flow. Holds no personal data: it travels in share links."""

    postal_code: str = ""
    modes: list[str] = dataclasses.field(default_factory=list)
    time: str = ""
    themes: list[int] = dataclasses.field(default_factory=list)
    family: bool = False

    @classmethod
    def from_query(cls, query) -> "Answers":
        """Read answers from a QueryDict (or a dict of lists), dropping anything that is not a valid choice."""
        getlist = query.getlist if hasattr(query, "getlist") else (lambda key: _as_list(query.get(key)))
        postal_code = (getlist("postal_code") or [""])[-1].strip()
        themes = []
        for value in getlist("themes"):
            if str(value).isdigit() and int(value) not in themes:
                themes.append(int(value))
        return cls(
            postal_code=postal_code if _POSTAL_CODE.match(postal_code) else "",
            modes=[mode for mode in Mode.values if mode in getlist("modes")],
            time=next((value for value in getlist("time") if value in TimeOnOffer.values), ""),
            themes=sorted(themes),
            family=(getlist("family") or [""])[-1] in ("1", "yes", "true", "True"),
        )

    def as_query(self) -> str:
        """The answers as a URL query string, in a fixed order, leaving out what was not answered."""
        pairs = []
        if self.postal_code:
            pairs.append(("postal_code", self.postal_code))
        pairs += [("modes", mode) for mode in self.modes]
        if self.time:
            pairs.append(("time", self.time))
        pairs += [("themes", str(theme)) for theme in self.themes]
        if self.family:
            pairs.append(("family", "1"))
        return urlencode(pairs)


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@dataclasses.dataclass
class Suggestions:
    """What the flow suggests. Every group and idea carries `why`: a sentence saying why it is shown."""

    place: Municipality | None = None
    groups: list[Group] = dataclasses.field(default_factory=list)
    digital_groups: list[Group] = dataclasses.field(default_factory=list)
    ideas: list[ActivityIdea] = dataclasses.field(default_factory=list)
    themes: list[PriorityArea] = dataclasses.field(default_factory=list)
    # Open to every individual activist whatever they answered, and joined by an action of its own.
    meeting_place: ActivityIdea | None = None


def find_place(postal_code: str) -> Municipality | None:
    """The municipality of a postal code, with its county and region, or None if unknown."""
    return find_places([postal_code]).get(postal_code)


def find_places(postal_codes: Iterable[str]) -> dict[str, Municipality]:
    """The municipality of each known postal code, with its county and region, in one query (none if
    no code is valid). Codes that are unknown, not valid or not in a municipality (Svalbard) are left out."""
    codes = {code for code in postal_codes if _POSTAL_CODE.match(code or "")}
    if not codes:
        return {}
    found = PostalCode.objects.select_related("municipality__county__region").filter(
        code__in=codes, municipality__isnull=False
    )
    return {row.code: row.municipality for row in found}


def current_themes():
    return PriorityArea.objects.filter(is_current=True)


def suggest(answers: Answers, *, language: str | None = None) -> Suggestions:
    """Groups nearest first, national digital groups on the chosen themes, and activities that fit.
    Seven queries at most, whatever the size of the catalogue or the number of groups."""
    return suggest_many([answers.postal_code], language=language, answers=answers)[answers.postal_code]


def suggest_many(
    postal_codes: Iterable[str],
    *,
    language: str | None = None,
    answers: Answers | None = None,
    group_limit: int | None = None,
) -> dict[str, Suggestions]:
    """For each postal code, what `suggest` gives for it with the other `answers` (none by default):
    `suggest_many(codes)[code]` equals `suggest(Answers(postal_code=code))`. Seven queries at most,
    the same for one place as for every place in the country: the places, the themes, every group
    near any of them, the digital groups and their themes, the ideas and theirs; each place's groups
    are then ordered and explained in Python. An unknown or invalid code gets no place and no groups.
    Places in the same municipality share their group objects, and every place shares the digital
    groups and the ideas: do not change them for one place. `group_limit` keeps only that many of
    each place's nearest groups (the first ones `suggest` gives), to hold less for many places."""
    answers = answers or Answers()
    codes = list(dict.fromkeys(postal_codes))
    with translation.override(language or translation.get_language()):
        places = find_places(codes)
        themes = {area.pk: area for area in current_themes().filter(pk__in=answers.themes)} if answers.themes else {}
        ideas, meeting_place = _ideas(answers, themes, language)
        nearby = _nearby_groups(places.values(), group_limit)
        digital = _digital_groups(themes)
        return {
            code: Suggestions(
                place=places.get(code),
                groups=list(nearby[places[code].pk]) if code in places else [],
                digital_groups=list(digital),
                ideas=list(ideas),
                themes=list(themes.values()),
                meeting_place=meeting_place,
            )
            for code in codes
        }


def _nearby_groups(places: Iterable[Municipality], limit: int | None = None) -> dict[str, list[Group]]:
    """Each municipality's nearby groups (by its number), nearest first: one query for all of them."""
    places = {place.pk: place for place in places}
    if not places:
        return {}
    counties = {place.county_id for place in places.values()}
    regions = {place.county.region_id for place in places.values()} - {None}
    # Every open recognised group in the places' counties and regions, in the order of the groups at
    # the same distance: each place's list is then a stable sort of these by distance, which is the
    # order of the former query ordered by distance, municipality name, name and pk.
    candidates = list(
        Group.objects.recognised()
        .filter(is_open=True, municipality__isnull=False)
        .filter(Q(municipality__county__in=counties) | Q(region__in=regions))
        .select_related("municipality__county", "region")
        .order_by("municipality__name", "name", "pk")
    )
    in_county, in_region = defaultdict(list), defaultdict(list)
    for index, group in enumerate(candidates):
        in_county[group.municipality.county_id].append(index)
        in_region[group.region_id].append(index)
    return {number: _order_nearby(place, candidates, in_county, in_region, limit) for number, place in places.items()}


def _order_nearby(
    place: Municipality, candidates: list[Group], in_county: dict, in_region: dict, limit: int | None
) -> list[Group]:
    county, region_id = place.county, place.county.region_id
    indexes = set(in_county.get(county.pk, ()))
    if region_id:
        indexes.update(in_region.get(region_id, ()))
    ranked = []
    for index in indexes:
        group = candidates[index]
        if group.municipality_id == place.pk:
            distance = 0
        elif group.municipality.county_id == county.pk:
            distance = 1
        else:
            distance = 2
        ranked.append((distance, index))
    ranked.sort()
    near = sum(1 for distance, _index in ranked if distance < 2)
    groups = []
    shown = max(near, GROUP_LIMIT) if limit is None else min(max(near, GROUP_LIMIT), limit)
    for distance, index in ranked[:shown]:
        group = copy.copy(candidates[index])  # the same group is at another distance from another place
        group.distance = distance
        if distance == 0:
            group.why = _("In your municipality, %(municipality)s.") % {"municipality": place.name}
        elif distance == 1:
            group.why = _("In %(municipality)s, in %(county)s county like you.") % {
                "municipality": group.municipality.name,
                "county": county.name,
            }
        else:
            group.why = _("In %(municipality)s, in region %(region)s, the nearest region office for you.") % {
                "municipality": group.municipality.name,
                "region": group.region.name,
            }
        groups.append(group)
    return groups


def _digital_groups(themes: dict) -> list[Group]:
    groups = Group.objects.recognised().filter(is_open=True, municipality__isnull=True)
    if themes:
        groups = groups.filter(priority_areas__in=list(themes)).distinct()
    groups = list(groups.prefetch_related("priority_areas").order_by("name", "pk"))
    for group in groups:
        matching = [area.name for area in group.priority_areas.all() if area.pk in themes]
        if matching:
            group.why = _("A national group that meets online and works on %(themes)s, which you chose.") % {
                "themes": ", ".join(matching)
            }
        else:
            group.why = _("A national group that meets online: you can take part wherever you live.")
    return groups


def _ideas(answers: Answers, themes: dict, language: str | None) -> tuple[list[ActivityIdea], ActivityIdea | None]:
    ideas, meeting_place = [], None
    for idea in ActivityIdea.objects.published().prefetch_related("priority_areas"):
        idea.title_shown = idea.localized("title", language)
        idea.summary_shown = idea.localized("summary", language)
        idea.how_to_shown = idea.localized("how_to", language)
        if idea.is_meeting_place:
            meeting_place = meeting_place or idea
            continue
        areas = {area.pk for area in idea.priority_areas.all()}
        if answers.modes and idea.modes and not set(idea.modes) & set(answers.modes):
            continue
        if answers.time and idea.times and answers.time not in idea.times:
            continue
        if answers.family and not idea.family_friendly:
            continue
        if themes and areas and not areas & set(themes):
            continue
        idea.why = _idea_reason(idea, answers, [themes[pk].name for pk in areas if pk in themes])
        ideas.append(idea)
    return ideas, meeting_place


def _idea_reason(idea: ActivityIdea, answers: Answers, theme_names: list[str]) -> str:
    reasons = []
    chosen_modes = [Mode(mode).label for mode in answers.modes if mode in idea.modes]
    if chosen_modes:
        reasons.append(_("You can do it %(modes)s.") % {"modes": _(" or ").join(str(m) for m in chosen_modes)})
    if answers.time and answers.time in idea.times:
        reasons.append(_("It fits the time you have: %(time)s.") % {"time": TimeOnOffer(answers.time).label})
    if answers.family and idea.family_friendly:
        reasons.append(_("Children can take part."))
    if theme_names:
        reasons.append(_("It is about %(themes)s, which you chose.") % {"themes": ", ".join(theme_names)})
    elif answers.themes and not idea.priority_areas.all():
        reasons.append(_("It fits every theme."))
    return " ".join(reasons) or _("Easy to start with, wherever you live.")


def flow_url(answers: Answers) -> str:
    """The path into the flow with the answers filled in: the results once the place is known."""
    query = answers.as_query()
    path = reverse("engage:results") if answers.postal_code else reverse("engage:start")
    return f"{path}?{query}" if query else path


# --- Actions --------------------------------------------------------------------------------------


@transaction.atomic
def sign_up_as_activist(*, actor: User, answers: Answers, idea_ids) -> IndividualActivist:
    """Make the person an individual activist with the interests from the flow. Members and
    non-members alike (seed 002). Clicking twice changes nothing the second time."""
    ideas = list(ActivityIdea.objects.published().filter(pk__in=list(idea_ids or [])).order_by("pk"))
    themes = list(current_themes().filter(pk__in=answers.themes).order_by("pk"))
    activist, created = IndividualActivist.objects.select_for_update().get_or_create(person=actor)
    wanted = {
        "modes": list(answers.modes),
        "time": answers.time,
        "family_friendly": answers.family,
        "stopped_at": None,
    }
    changed = created or any(getattr(activist, field) != value for field, value in wanted.items())
    changed |= {area.pk for area in activist.themes.all()} != {area.pk for area in themes}
    # Choosing more activities adds to those chosen before; nothing is taken away here.
    chosen_before = set(activist.ideas.values_list("pk", flat=True))
    new_ideas = [idea for idea in ideas if idea.pk not in chosen_before]
    if not changed and not new_ideas:
        return activist
    for field, value in wanted.items():
        setattr(activist, field, value)
    activist.last_heard_on = timezone.localdate()
    activist.save()
    activist.themes.set(themes)
    activist.ideas.add(*new_ideas)
    audit.record(
        actor=actor,
        action="activist.signed_up" if created else "activist.interests_changed",
        target=activist,
        modes=activist.modes,
        time=activist.time,
        family_friendly=activist.family_friendly,
        themes=[area.pk for area in themes],
        ideas=sorted(chosen_before | {idea.pk for idea in new_ideas}),
    )
    return activist


@transaction.atomic
def join_meeting_place(*, actor: User) -> IndividualActivist:
    """Join the digital meeting place for individual activists; becomes one if not already."""
    activist, created = IndividualActivist.objects.select_for_update().get_or_create(person=actor)
    if activist.in_meeting_place_since and activist.stopped_at is None:
        return activist
    activist.in_meeting_place_since = activist.in_meeting_place_since or timezone.now()
    activist.stopped_at = None
    activist.last_heard_on = timezone.localdate()
    activist.save()
    audit.record(actor=actor, action="activist.joined_meeting_place", target=activist, new_activist=created)
    return activist


def ask_to_join(*, actor: User, group: Group, message: str = "") -> JoinRequest:
    """Ask to join a group from the flow: the group's contact is told, and non-members are told why
    they cannot (groups.services holds that rule)."""
    return request_to_join(actor=actor, group=group, message=message)
