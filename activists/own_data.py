"""Each person's own data: everything the portal holds about them, erasure on request, and pruning
lapsed members after a retention period (issue 6).

The export and the erasure find the data generically, from the models' relations to the user
model, so a model added later is covered without touching this module: every row with a foreign
key to the person is exported, and after an erasure no text in any table still carries their name,
email address or phone number.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from amnesty_portal import audit
from amnesty_portal.mail import notify

log = logging.getLogger(__name__)


class ErasureError(Exception):
    """A request about erasure that cannot be carried out, with a message for the person asking."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


# --- Export ---------------------------------------------------------------------------------------

# Fields never exported: secrets (a one-time token in a link, the TOTP seed and recovery codes, a
# mail's unsubscribe token in its headers) and copies (the HTML part repeats the text; a mail's copy
# list holds other people's addresses).
SECRET_FIELD_NAMES = {"password", "token", "key", "secret", "session_key", "session_data"}
OMITTED_FIELDS = {
    "mfa.Authenticator": {"data"},
    "amnesty_portal.OutboxMessage": {"html", "headers", "cc", "claimed_by"},
}
# Relations through which a row is *about* the person although the person is only "set null" on it
# (the rule below would otherwise export only a reference).
ABOUT_THE_PERSON = {("amnesty_portal.SecurityEvent", "user")}


def _user_model():
    return get_user_model()


@dataclass
class Relation:
    """A foreign key from some model to the user model."""

    model: type[models.Model]
    field: models.Field
    # Rows that belong to the person (they go with the person: CASCADE, or a named reverse
    # relation) are exported whole; rows where the person only did something (the report they
    # submitted, the contact they logged) as a reference without others' free text.
    whole: bool
    children: list[tuple[type[models.Model], models.Field]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


def relations() -> list[Relation]:
    """Every foreign key and one-to-one field to the user model, in a stable order, each with the
    models whose rows belong to its rows (a welcome enrolment's sends, an activist's log)."""
    user = _user_model()
    found = []
    all_models = [m for m in apps.get_models() if not m._meta.proxy]
    for model in sorted(all_models, key=lambda m: m._meta.label):
        for fk in model._meta.get_fields():
            if not (fk.concrete and fk.is_relation and (fk.many_to_one or fk.one_to_one)):
                continue
            if fk.related_model is not user or model is user:
                continue
            hidden = (fk.remote_field.related_name or "").endswith("+")
            owned = (
                fk.remote_field.on_delete is models.CASCADE
                or not hidden
                or (model._meta.label, fk.name) in ABOUT_THE_PERSON
            )
            relation = Relation(model=model, field=fk, whole=owned)
            if owned:
                for child in all_models:
                    for child_fk in child._meta.get_fields():
                        if (
                            child_fk.concrete
                            and child_fk.is_relation
                            and (child_fk.many_to_one or child_fk.one_to_one)
                            and child_fk.related_model is model
                            and child_fk.remote_field.on_delete is models.CASCADE
                        ):
                            relation.children.append((child, child_fk))
            found.append(relation)
    return found


def _plain(value):
    """A value as JSON: dates in ISO 8601."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _is_secret(model, f) -> bool:
    return f.name in SECRET_FIELD_NAMES or f.name in OMITTED_FIELDS.get(model._meta.label, set())


def _is_free_text(f) -> bool:
    """Text someone wrote, or an address: left out of a reference to a row that is not the person's
    (a name or title is what a reference is known by, and stays)."""
    if f.name in {"name", "title"}:
        return False
    if isinstance(f, models.TextField | models.JSONField | models.EmailField):
        return True
    return isinstance(f, models.CharField) and not f.choices and (f.max_length or 0) > 100


def _columns(model, skip: set[str], reference: bool) -> list[models.Field]:
    """The fields of a row that are exported."""
    user = _user_model()
    columns = []
    for f in model._meta.concrete_fields:
        if f.name in skip or _is_secret(model, f):
            continue
        if f.is_relation and f.related_model is user:
            continue  # another person (who answered, who invited): not the person's data
        if reference and _is_free_text(f):
            continue
        columns.append(f)
    return columns


def _with_related(queryset, paths):
    # select_related() without arguments would follow every foreign key, people's included.
    return queryset.select_related(*paths) if paths else queryset


def _related_paths(model) -> list[str]:
    """select_related paths for the labels of a row's foreign keys, two levels deep (a report's
    version names the report, which names its group), never through another person."""
    user = _user_model()
    paths = []
    for f in model._meta.concrete_fields:
        if not f.is_relation or f.related_model is user:
            continue
        paths.append(f.name)
        for g in f.related_model._meta.concrete_fields:
            if g.is_relation and g.related_model is not user:
                paths.append(f"{f.name}__{g.name}")
    return paths


def _value(row, f):
    if f.is_relation:
        related = getattr(row, f.name)
        return None if related is None else str(related)
    if f.choices:
        value = getattr(row, f.attname)
        return str(dict(f.flatchoices).get(value, value)) if value not in (None, "") else value
    return _plain(getattr(row, f.attname))


def _m2m_fields(model):
    user = _user_model()
    return [f for f in model._meta.many_to_many if f.related_model is not user]


def _rows(queryset, columns, m2m=(), parent=None) -> list[dict]:
    rows = []
    for row in queryset:
        item = {"id": row.pk}
        if parent is not None:
            item[parent.name] = getattr(row, parent.attname)  # the id of the row in the section above
        for f in columns:
            if f.primary_key:
                continue
            item[f.name] = _value(row, f)
        for f in m2m:
            item[f.name] = [str(obj) for obj in getattr(row, f.name).all()]
        rows.append(item)
    return rows


def _fields(columns, m2m=()) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in [*columns, *m2m] if not f.primary_key}


def _section(key, model, how, rows, fields) -> dict:
    return {
        "key": key,
        "title": str(model._meta.verbose_name_plural),
        "how": str(how),
        "fields": fields,
        "rows": rows,
    }


def export_person(person) -> dict:
    """All data the portal holds about the person, as JSON-ready values with ISO 8601 dates.

    `person` holds the person's own fields (not the password hash); `sections` one entry per
    relation from any table to the person (empty ones included, to show they were looked at), each
    with its rows. Rows that are the person's (a membership, an office, a message to them) come
    whole; rows where the person only acted (a report they submitted) come as a reference: their
    dates, states and the objects they concern, without others' free text or other people. A
    fixed number of queries per relation, whatever the number of rows.
    """
    user = _user_model()
    own = [
        f
        for f in user._meta.concrete_fields
        if not _is_secret(user, f) and f.name not in {"id"} and not (f.is_relation and f.related_model is user)
    ]
    person = user.objects.select_related("postal_code__municipality__county__region").get(pk=person.pk)
    details = {f.name: _value(person, f) for f in own}
    details["id"] = person.pk
    municipality = person.municipality
    details["municipality"] = municipality.name if municipality else None
    details["region"] = municipality.county.region.name if municipality and municipality.county.region_id else None
    sections = []
    for relation in relations():
        model, fk = relation.model, relation.field
        columns = _columns(model, {fk.name}, reference=not relation.whole)
        m2m = _m2m_fields(model) if relation.whole else []
        queryset = _with_related(model._default_manager.filter(**{fk.name: person}), _related_paths(model))
        queryset = queryset.prefetch_related(*[f.name for f in m2m]).order_by("pk")
        sections.append(
            _section(relation.key, model, fk.verbose_name, _rows(queryset, columns, m2m), _fields(columns, m2m))
        )
        for child, child_fk in relation.children:
            child_columns = _columns(child, {child_fk.name}, reference=False)
            child_m2m = _m2m_fields(child)
            paths = [path for path in _related_paths(child) if path.split("__")[0] != child_fk.name]
            rows = _rows(
                _with_related(child._default_manager.filter(**{f"{child_fk.name}__{fk.name}": person}), paths)
                .prefetch_related(*[f.name for f in child_m2m])
                .order_by("pk"),
                child_columns,
                child_m2m,
                parent=child_fk,
            )
            key = f"{child._meta.label}.{child_fk.name}.{fk.name}"
            sections.append(
                _section(key, child, child_fk.verbose_name, rows, _fields([child_fk, *child_columns], child_m2m))
            )
    # The audit trail also speaks of the person without a foreign key: as the target of a change
    # (a profile edited by an admin), or by id in its details (an office given to them).
    from amnesty_portal.models import AuditEvent

    columns = [f for f in AuditEvent._meta.concrete_fields if f.name not in {"actor", "target_type"}]
    about = AuditEvent.objects.filter(_audit_about(person)).order_by("pk")
    sections.append(
        _section("amnesty_portal.AuditEvent.about", AuditEvent, _("about you"), _rows(about, columns), _fields(columns))
    )
    return {
        "exported_at": timezone.localtime().isoformat(),
        "portal": settings.SITE_URL,
        "person": details,
        "sections": sections,
    }


def _readable(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_readable(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def readable(export: dict) -> tuple[list[tuple[str, str]], list[dict]]:
    """The export in words for the "My data" page: the person's details as (label, value), and
    the sections that have rows, each with its column headings and cells."""
    user = _user_model()
    labels = {f.name: str(f.verbose_name) for f in user._meta.concrete_fields}
    labels.update(id=_("number in the portal"), municipality=_("municipality"), region=_("region"))
    details = [(labels.get(name, name), _readable(value)) for name, value in export["person"].items()]
    sections = []
    for section in export["sections"]:
        if not section["rows"]:
            continue
        names = ["id", *section["fields"]]
        headings = [_("number"), *section["fields"].values()]
        rows = [[_readable(row.get(name)) for name in names] for row in section["rows"]]
        sections.append({**section, "headings": headings, "cells": rows})
    return details, sections


def _audit_about(person) -> Q:
    # Joined rather than looked up: the content type cache would make the first page's query count differ.
    meta = _user_model()._meta
    by_target = Q(target_type__app_label=meta.app_label, target_type__model=meta.model_name, target_id=str(person.pk))
    return by_target | Q(data__person=person.pk)


def export_json(person) -> str:
    return json.dumps(export_person(person), ensure_ascii=False, indent=2)


# --- Erasure requests ------------------------------------------------------------------------------


def pending_request(person):
    from activists.models import ErasureRequest

    return ErasureRequest.objects.filter(person=person, status=ErasureRequest.Status.PENDING).first()


@transaction.atomic
def request_erasure(*, actor, person, reason: str = ""):
    """The person asks to be erased. One pending request at a time."""
    from activists.models import ErasureRequest, User

    User.objects.select_for_update().filter(pk=person.pk).first()
    if person.erased_at:
        raise ErasureError(_("Your personal data has already been erased."))
    if pending_request(person) is not None:
        raise ErasureError(_("You have already asked to be erased. An admin will answer soon."))
    erasure = ErasureRequest.objects.create(person=person, reason=reason.strip())
    audit.record(actor=actor, action="erasure.requested", target=erasure)
    return erasure


@transaction.atomic
def withdraw_erasure(*, actor, person):
    from activists.models import ErasureRequest

    updated = ErasureRequest.objects.filter(person=person, status=ErasureRequest.Status.PENDING).update(
        status=ErasureRequest.Status.WITHDRAWN, decided_at=timezone.now()
    )
    if not updated:
        raise ErasureError(_("You have no request to be erased waiting for an answer."))
    audit.record(actor=actor, action="erasure.withdrawn", target=person)
    return updated


def _lock_pending(erasure):
    from activists.models import ErasureRequest

    locked = ErasureRequest.objects.select_for_update().filter(pk=erasure.pk).first()
    if locked is None or locked.status != ErasureRequest.Status.PENDING:
        raise ErasureError(_("This request has already been answered or withdrawn."))
    return locked


@transaction.atomic
def refuse_erasure(*, actor, erasure, answer: str):
    """An admin refuses, saying why (the person holds an office, a report is unfinished)."""
    from activists.models import ErasureRequest

    answer = (answer or "").strip()
    if not answer:
        raise ErasureError(_("Tell the person why their data cannot be erased now."), "answer")
    erasure = _lock_pending(erasure)
    erasure.status, erasure.decided_by, erasure.decided_at, erasure.answer = (
        ErasureRequest.Status.REFUSED,
        actor,
        timezone.now(),
        answer,
    )
    erasure.save(update_fields=["status", "decided_by", "decided_at", "answer"])
    audit.record(actor=actor, action="erasure.refused", target=erasure, reason=answer)
    notify([erasure.person], "erasure_refused", {"answer": answer}, key=f"erasure-refused:{erasure.pk}")
    return erasure


@transaction.atomic
def confirm_erasure(*, actor, erasure):
    """An admin confirms: the person is erased, and told so at the address they had."""
    from activists.models import ErasureRequest

    erasure = _lock_pending(erasure)
    erasure.status, erasure.decided_by, erasure.decided_at = ErasureRequest.Status.ERASED, actor, timezone.now()
    erasure.save(update_fields=["status", "decided_by", "decided_at"])
    erase_person(actor=actor, person=erasure.person, confirm=True, request_id=erasure.pk)
    return erasure


@dataclass
class Blockers:
    """What an admin should weigh before erasing someone: the person's current roles and work."""

    offices: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    draft_reports: list = field(default_factory=list)
    region_roles: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.offices or self.groups or self.draft_reports or self.region_roles)


def blockers_for(person_ids) -> dict[int, Blockers]:
    """Blockers for many people in four queries."""
    from groups.models import GroupMembership, Office, QuarterlyReport
    from regions.models import RegionRole

    result = {pk: Blockers() for pk in person_ids}
    for office in Office.objects.current().filter(person_id__in=person_ids).select_related("group").order_by("pk"):
        result[office.person_id].offices.append(office)
    memberships = GroupMembership.objects.filter(person_id__in=person_ids, left_on__isnull=True)
    for membership in memberships.select_related("group").order_by("pk"):
        result[membership.person_id].groups.append(membership.group)
    drafts = QuarterlyReport.objects.filter(updated_by_id__in=person_ids, status=QuarterlyReport.Status.DRAFT)
    for report in drafts.select_related("group").order_by("pk"):
        result[report.updated_by_id].draft_reports.append(report)
    for role in RegionRole.objects.filter(person_id__in=person_ids).select_related("region").order_by("pk"):
        result[role.person_id].region_roles.append(role)
    return result


# --- Erasing -------------------------------------------------------------------------------------


def _needles(person) -> list[str]:
    """What identifies the person in text: full name, every email address they have had, phone and
    membership number. A one-word name is left out: replacing a single common word everywhere
    would damage other people's data far more than it protects the person's."""
    from allauth.account.models import EmailAddress

    needles = set()
    if person.first_name.strip() and person.last_name.strip():
        needles.add(f"{person.first_name.strip()} {person.last_name.strip()}")
    if person.email:
        needles.add(person.email)
    needles.update(EmailAddress.objects.filter(user=person).values_list("email", flat=True))
    if len(person.phone.strip()) >= 6:
        needles.add(person.phone.strip())
    if person.membership_number and len(person.membership_number) >= 5:
        needles.add(person.membership_number)
    return sorted((n for n in needles if n), key=len, reverse=True)


def _scrub_json(value, replace):
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_scrub_json(v, replace) for v in value]
    if isinstance(value, dict):
        return {replace(k): _scrub_json(v, replace) for k, v in value.items()}
    return value


def text_fields(model) -> list[models.Field]:
    """The fields of a model that can hold a name, an address or a phone number."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
    ]


def _mentions(f, needle: str) -> Q:
    q = Q(**{f"{f.name}__icontains": needle})
    if isinstance(f, models.JSONField):
        # SQLite stores JSON with non-ASCII characters escaped ("\u00f8"): look for that form too.
        escaped = json.dumps(needle)[1:-1]
        if escaped != needle:
            q |= Q(**{f"{f.name}__icontains": escaped})
    return q


# Conditions per query when looking for mentions: SQLite refuses an expression deeper than 1,000.
MAX_CONDITIONS = 200


def scrub_everywhere(replacements: dict[str, str], *, exclude: dict | None = None) -> int:
    """Replace every mention of each needle (a key of `replacements`) in every text field of every
    table, except people's own rows (which the erasure blanks), with its label. For each model, one
    query per 200 conditions (fields × needles) finds the rows, and an update per row found
    changes them: erasing a chunk of people scans each table once or a few times, not once per
    person. Returns the number of rows changed. Someone else with exactly the same full name is
    replaced too: the price of being sure the erased person is gone."""
    if not replacements:
        return 0
    user = _user_model()
    needles = sorted(replacements, key=len, reverse=True)
    labels = {needle.casefold(): label for needle, label in replacements.items()}
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)

    def replace(text: str) -> str:
        return pattern.sub(lambda match: labels.get(match.group(0).casefold(), labels[needles[-1].casefold()]), text)

    exclude = exclude or {}
    changed = 0
    for model in apps.get_models(include_auto_created=True):
        if model is user or model._meta.proxy or not model._meta.managed:
            continue
        fields = text_fields(model)
        if not fields:
            continue
        per_query = max(1, MAX_CONDITIONS // (2 * len(fields)))
        seen = set()
        for start in range(0, len(needles), per_query):
            query = Q()
            for f in fields:
                for needle in needles[start : start + per_query]:
                    query |= _mentions(f, needle)
            rows = model._default_manager.filter(query)
            if model._meta.label in exclude:
                rows = rows.exclude(**exclude[model._meta.label])
            for row in rows.order_by("pk"):
                if row.pk in seen:
                    continue
                seen.add(row.pk)
                updates = {}
                for f in fields:
                    value = getattr(row, f.attname)
                    if value in (None, "", [], {}):
                        continue
                    new = _scrub_json(value, replace) if isinstance(f, models.JSONField) else replace(value)
                    if new != value:
                        updates[f.attname] = new
                if updates:
                    model._default_manager.filter(pk=row.pk).update(**updates)
                    changed += 1
    return changed


def _coarse_postal_code(postal_code):
    """The first postal code of the same municipality: keeps the municipality, and with it the
    region, the centrality class and city-or-not, that the dashboard figures count."""
    from regions.models import PostalCode

    if postal_code is None:
        return None
    return PostalCode.objects.filter(municipality_id=postal_code.municipality_id).order_by("code").first()


def _delete_sessions(user_ids: set[int]):
    """Sessions in the database of these people. A session only names its user inside its signed
    data, so the live ones are read; expired ones are cleared first, as `clearsessions` would.
    (An unusable password alone already ends every session: its hash no longer matches.)"""
    from django.contrib.sessions.models import Session

    now = timezone.now()
    Session.objects.filter(expire_date__lt=now).delete()
    wanted = {str(pk) for pk in user_ids}
    doomed = []
    for session in Session.objects.filter(expire_date__gte=now).iterator(chunk_size=2000):
        try:
            user_id = session.get_decoded().get("_auth_user_id")
        except Exception:  # a session that cannot be decoded belongs to no one we can name
            log.debug("Skipping a session that cannot be decoded", exc_info=True)
            continue
        if user_id is not None and str(user_id) in wanted:
            doomed.append(session.pk)
    Session.objects.filter(pk__in=doomed).delete()


def erased_label(person) -> str:
    """How an erased person appears in stored text (the site's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(person)


@transaction.atomic
def erase_person(*, actor, person, confirm: bool = False, request_id: int | None = None, source: str = "request"):
    """Remove or anonymise the person's identifying data, keeping what the organisation's history
    and figures rest on.

    Removed: name, email addresses (allauth's too), phone, membership number, password, sessions,
    two-factor authenticators, staff roles, IP addresses and browsers in the security log, the text
    of their own join requests, erasure reasons and activist availability, and every mention of
    their full name, addresses and phone in any text of any table (audit details, the security
    log, other people's email, report versions, contact notes, answers). Their own email is
    blanked: pending messages are cancelled (marked failed, so an urgent action's progress still
    adds up), sent ones keep only their date and status.

    Kept, pointing at the person now shown as "Erased person #<id>": group memberships and offices
    (group histories and member counts stay right), reports they submitted, membership status and
    its dates, consent changes (no longer identifying), gathering invitations and their activity
    log (counted in the figures). Birth year and gender are kept and the postal code is coarsened
    to its municipality (the municipality's first postal code): these are what the dashboard
    figures (dashboard.PeopleFigure) count, so recomputing past quarters after an erasure gives
    the same totals, while without a name, address or number the row no longer points to anyone;
    every figure shown goes through the "<5" rule besides.

    With `confirm`, the person is told at the address they had, before it is removed: that one
    outbox row keeps the address until it is delivered, and the daily pruning task
    (`prune_erased_outbox`) then blanks it like the rest.

    Idempotent: a person already erased is left as they are. Returns the person as stored.
    """
    erase_people(actor=actor, people=[person], confirm=confirm, request_id=request_id, source=source)
    return _user_model().objects.get(pk=person.pk)


@transaction.atomic
def erase_people(*, actor, people, confirm: bool = False, request_id: int | None = None, source: str = "request"):
    """Erase several people in one transaction, as erase_person does one: the mentions of all of
    them are scrubbed in one pass over the tables. Returns the people erased (not those already)."""
    from activists.models import User

    ids = [person.pk for person in people]
    # Locked in primary-key order, against deadlocks with another run.
    locked = list(
        User.objects.select_for_update(of=("self",))
        .select_related("postal_code")
        .filter(pk__in=ids, erased_at__isnull=True)
        .order_by("pk")
    )
    now = timezone.now()
    replacements, kept = {}, []
    for person in locked:
        needles = _needles(person)
        if confirm and person.email:
            # notify() stores the row under "<key>:<recipient pk>".
            notify([person], "erasure_confirmed", {}, key=f"erasure-confirmed:{person.pk}")
            kept.append(f"erasure-confirmed:{person.pk}:{person.pk}")
        _erase_own_rows(person, needles, now, kept)
        label = erased_label(person)
        replacements.update(dict.fromkeys(needles, label))
    AuditEvent = apps.get_model("amnesty_portal", "AuditEvent")
    for person in locked:
        AuditEvent.objects.filter(_audit_about(person)).update(target_repr=erased_label(person))
    scrub_everywhere(replacements, exclude={"amnesty_portal.OutboxMessage": {"key__in": kept}})
    _delete_sessions({person.pk for person in locked})
    details = {"source": source, **({"request": request_id} if request_id else {})}
    for person in locked:
        audit.record(actor=actor, action="person.erased", target=person, **details)
    return locked


def _erase_own_rows(person, needles: list[str], now, kept: list[str]):
    """The person's own row and the rows that are theirs: blanked, cancelled, stopped or deleted."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from activists.models import ErasureRequest, IndividualActivist, WelcomeEnrolment
    from amnesty_portal.models import OutboxMessage, SecurityEvent
    from groups.models import Invitation, JoinRequest
    from regions.models import RegionRole

    emails = {n for n in needles if "@" in n}
    lowered = {e.lower() for e in emails}
    # The person's own mail: blanked, pending ones cancelled.
    theirs = OutboxMessage.objects.filter(Q(recipient=person) | Q(to__in=emails)).exclude(key__in=kept)
    blank = {"to": "", "cc": [], "subject": "", "text": "", "html": "", "headers": {}}
    theirs.filter(status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]).update(
        **blank, status=OutboxMessage.Status.FAILED, last_error="cancelled: personal data erased"
    )
    theirs.update(**blank)
    # Copies of other people's mail: their address leaves the copy list.
    for email in emails:
        for row in OutboxMessage.objects.filter(cc__icontains=email).exclude(key__in=kept):
            cc = [address for address in row.cc if address.lower() not in lowered]
            OutboxMessage.objects.filter(pk=row.pk).update(cc=cc)

    SecurityEvent.objects.filter(user=person).update(identifier="", ip_address=None, user_agent="", detail={})
    JoinRequest.objects.filter(person=person).update(message="")
    JoinRequest.objects.filter(person=person, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.WITHDRAWN, answered_at=now
    )
    for invitation in Invitation.objects.filter(Q(person=person) | Q(email__in=emails)).order_by("pk"):
        Invitation.objects.filter(pk=invitation.pk).update(
            email=f"erased-{invitation.pk}@invalid.invalid",
            declined_at=invitation.declined_at or (now if invitation.is_open else None),
        )
    ErasureRequest.objects.filter(person=person).update(reason="")
    IndividualActivist.objects.filter(person=person).update(availability="")
    IndividualActivist.objects.filter(person=person, stopped_at__isnull=True).update(stopped_at=now)
    WelcomeEnrolment.objects.filter(person=person, stopped_at__isnull=True).update(
        stopped_at=now, stop_reason=WelcomeEnrolment.StopReason.ERASED
    )
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    RegionRole.objects.filter(person=person).delete()

    person.first_name = person.last_name = person.phone = ""
    person.email = None
    person.membership_number = None
    person.postal_code = _coarse_postal_code(person.postal_code)
    person.email_consent = False
    person.is_active = person.is_staff = person.is_superuser = person.is_secretariat = person.is_prize_jury = False
    person.last_login = None
    person.erased_at = now
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()


# --- Pruning lapsed members ------------------------------------------------------------------------


def lapsed_to_prune(today: datetime.date | None = None):
    """Lapsed members whose lapse is older than LAPSED_DATA_RETENTION_MONTHS and who are not
    otherwise active: no current group membership, no office that has not ended, no individual
    activist profile still running, no regional role, no staff rights. Someone still active in
    any of these ways keeps their data: they are in the portal for a reason other than the lapsed
    membership (a non-member may be an activist, seed 002), and their records are in use."""
    from activists.models import IndividualActivist, User
    from groups.models import GroupMembership, Office
    from regions.models import RegionRole

    today = today or timezone.localdate()
    cutoff = today - relativedelta(months=settings.LAPSED_DATA_RETENTION_MONTHS)
    return (
        User.objects.filter(
            membership_status=User.Membership.LAPSED,
            lapsed_on__lt=cutoff,
            erased_at__isnull=True,
            is_staff=False,
            is_superuser=False,
            is_secretariat=False,
        )
        .exclude(pk__in=GroupMembership.objects.filter(left_on__isnull=True).values("person_id"))
        .exclude(pk__in=Office.objects.current(today).values("person_id"))
        .exclude(pk__in=Office.objects.filter(started_on__gt=today).values("person_id"))
        .exclude(pk__in=IndividualActivist.objects.filter(stopped_at__isnull=True).values("person_id"))
        .exclude(pk__in=RegionRole.objects.values("person_id"))
        .order_by("pk")
    )


def prune_lapsed_members(*, today=None, chunk: int = 100, limit: int = 5000) -> int:
    """Erase lapsed members past the retention period, a chunk at a time, each chunk in a
    transaction of its own (a failure leaves the chunks before it done) and with one pass over the
    tables for the mentions of all its people. Safe to run twice, or in two workers at once: an
    erased person is no longer selected, and erase_people locks the rows and skips anyone already
    erased. Returns how many were erased; at most `limit` a run, the rest the next day."""
    erased = 0
    while erased < limit:
        ids = list(lapsed_to_prune(today).values_list("pk", flat=True)[: min(chunk, limit - erased)])
        if not ids:
            break
        from activists.models import User

        erased += len(erase_people(actor=None, people=User.objects.filter(pk__in=ids), source="lapsed"))
    return erased


def prune_erased_outbox() -> int:
    """Blank the sent or failed mail of erased people that still carries an address: the
    confirmation of an erasure, kept until it was delivered."""
    from amnesty_portal.models import OutboxMessage

    return (
        OutboxMessage.objects.filter(
            recipient__erased_at__isnull=False,
            status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED],
        )
        .exclude(to="")
        .update(to="", cc=[], subject="", text="", html="", headers={})
    )
