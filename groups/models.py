"""Groups, their members and dated offices, and what recognition rests on: statutes, priority areas,
join requests and the standing against the five criteria (seed 001)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amnesty_portal.permissions import scope_groups


class GroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_groups(self, user)

    def active(self):
        """Groups that exist in the organisation today: recognised or awaiting approval."""
        return self.filter(status__in=[Group.Status.PENDING, Group.Status.RECOGNISED])

    def recognised(self):
        return self.filter(status=Group.Status.RECOGNISED)

    def with_member_count(self):
        """Annotate ``member_count``, the current members, as a subquery per group: a list counts
        only the page it shows, where a JOIN and GROUP BY would aggregate every group's members
        before sorting (45 ms for 4,000 groups) and the paginator's COUNT would do it again."""
        current = (
            GroupMembership.objects.filter(group=models.OuterRef("pk"), left_on__isnull=True)
            .order_by()
            .values("group")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(member_count=Coalesce(models.Subquery(current), 0))


class PriorityArea(models.Model):
    """One of AiN's priority areas; criterion 3 asks a group to work on a current one."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_current = models.BooleanField(_("current priority"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")

    def __str__(self):
        return self.name


class StatutesVersionQuerySet(models.QuerySet):
    def current(self, on=None):
        """The newest version in force on the day, or None before the first one."""
        on = on or timezone.localdate()
        return self.filter(published_on__lte=on).order_by("-published_on", "-pk").first()


class StatutesVersion(models.Model):
    """A version of AiN's and AI's statutes, vision and guidelines that groups accept (criterion 1)."""

    version = models.CharField(_("version"), max_length=50, unique=True)
    published_on = models.DateField(_("in force from"))
    summary = models.TextField(_("what the group accepts"))
    url = models.URLField(_("full text"), blank=True)

    objects = StatutesVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("statutes version")
        verbose_name_plural = _("statutes versions")

    def __str__(self):
        return self.version


class Group(models.Model):
    class Category(models.TextChoices):
        YOUTH = "youth", _("youth group (13–19)")
        STUDENT = "student", _("student group")
        THEMATIC = "thematic", _("thematic group")
        LOCAL = "local", _("local group")
        PARENT = "parent", _("parent and stroller group")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        RECOGNISED = "recognised", _("recognised")
        REJECTED = "rejected", _("registration rejected")
        CLOSED = "closed", _("closed")

    class Standing(models.TextChoices):
        MEETS = "meets", _("meets the criteria")
        AT_RISK = "at_risk", _("at risk")
        FAILS = "fails", _("fails the criteria")

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # National digital thematic groups have no home municipality, but still belong to a region.
    municipality = models.ForeignKey(
        "regions.Municipality", verbose_name=_("municipality"), on_delete=models.PROTECT, null=True, blank=True
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="groups"
    )
    institution = models.CharField(_("school or institution"), max_length=200, blank=True)
    themes = models.CharField(
        _("themes"), max_length=300, blank=True, help_text=_("What the group works on, in a few words.")
    )
    priority_areas = models.ManyToManyField(
        PriorityArea, verbose_name=_("priority areas"), blank=True, related_name="groups"
    )
    is_open = models.BooleanField(_("open to new members"), default=True)
    founded_on = models.DateField(_("founded on"), default=timezone.localdate)
    age_exception = models.TextField(_("why members outside 13–19 belong to this youth group"), blank=True)

    # The registration and its review.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    # Following up a group that fails the criteria, and closing it.
    stopping_reported_at = models.DateTimeField(_("reported stopping its work at"), null=True, blank=True)
    stopping_reason = models.TextField(_("why the group is stopping"), blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    warning_deadline = models.DateField(_("deadline to meet the criteria"), null=True, blank=True)
    warning_message = models.TextField(_("warning"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.TextField(_("reason for closing"), blank=True)

    # Kept up to date by groups.criteria.refresh_standings(); a column so lists can filter on it.
    standing = models.CharField(_("standing"), max_length=10, choices=Standing.choices, default=Standing.MEETS)
    standing_checked_at = models.DateTimeField(_("standing checked at"), null=True, blank=True)

    # Bumped by every state change a person makes, so that two people acting on the same group
    # at once produce one outcome: the second one's form carries a stale number.
    revision = models.PositiveIntegerField(default=0)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMembership", related_name="member_groups", verbose_name=_("members")
    )

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups:detail", args=[self.pk])

    @property
    def is_national(self) -> bool:
        return self.municipality_id is None

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"], condition=models.Q(left_on__isnull=True), name="one_current_membership"
            )
        ]

    def __str__(self):
        return f"{self.person} – {self.group}"


class StatutesAcceptance(models.Model):
    """A group's contact accepted a version of the statutes: who, when and which version."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="statutes_acceptances")
    version = models.ForeignKey(StatutesVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("statutes acceptance")
        verbose_name_plural = _("statutes acceptances")
        constraints = [models.UniqueConstraint(fields=["group", "version"], name="one_acceptance_per_version")]

    def __str__(self):
        return f"{self.group} – {self.version}"


class JoinRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=JoinRequest.Status.PENDING)


class JoinRequest(models.Model):
    """A member asks to join an open group; the contact answers (criterion 5 watches the wait)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message to the group"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"], condition=models.Q(status="pending"), name="one_pending_join_request"
            )
        ]

    def __str__(self):
        return f"{self.person} → {self.group}"


class Invitation(models.Model):
    """One of a new group's first members, invited by email. The token in the email is the key;
    someone not yet in the register sets a password with it and gets an account."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["group", "email"], name="one_invitation_per_email")]

    def __str__(self):
        return f"{self.email} → {self.group}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.declined_at is None


class CriterionStatus(models.Model):
    """Where a group stands on one of the five criteria, since when, and the evidence."""

    class Number(models.IntegerChoices):
        STATUTES = 1, _("Stands behind the statutes, vision and guidelines")
        MEMBERS = 2, _("All group members are members of AiN")
        PRIORITIES = 3, _("Works on AiN's priority areas")
        CONTACT = 4, _("Has a contact person the secretariat can reach")
        OPEN = 5, _("Is open to new members")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField(_("criterion"), choices=Number.choices)
    state = models.CharField(_("state"), max_length=10, choices=Group.Standing.choices)
    since = models.DateField(_("since"))
    # [{"code": ..., "params": {...}}]: put into words, in the reader's language, by groups.criteria.
    evidence = models.JSONField(_("evidence"), default=list)

    class Meta:
        ordering = ["group", "number"]
        verbose_name = _("criterion status")
        verbose_name_plural = _("criterion statuses")
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="one_status_per_criterion")]

    def __str__(self):
        return f"{self.group} {self.number}: {self.state}"


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def visible_to(self, user):
        from amnesty_portal.permissions import roles_of

        roles = roles_of(user)
        if roles.is_admin:
            return self
        return self.filter(region_id__in=roles.staff_region_ids)


class FollowUp(models.Model):
    """An item on a regional leader's to-do list about one group."""

    class Kind(models.TextChoices):
        WELCOME_PACKAGE = "welcome_package", _("Send the welcome package")
        FIRST_CONTACT = "first_contact", _("First contact with the new group")
        NEW_CONTACT = "new_contact", _("Find a new contact person")
        OFFICE_CHANGE = "office_change", _("Note the change of officers")

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="follow_ups")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "created_at", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "kind"], condition=models.Q(done_at__isnull=True), name="one_open_follow_up_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.group}"


class OfficeQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(started_on__lte=on).filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=on))


class Office(models.Model):
    """A dated role in a group. The contact person is the secretariat's point of contact."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("contact person")
        LEADER = "leader", _("leader")
        DEPUTY = "deputy", _("deputy leader")
        TREASURER = "treasurer", _("treasurer")
        SOCIAL_MEDIA = "social_media", _("social-media officer")
        OTHER = "other", _("other office")

    class EndReason(models.TextChoices):
        STEPPED_DOWN = "stepped_down", _("stepped down")
        REPLACED = "replaced", _("someone else took over")
        MEMBERSHIP_LAPSED = "lapsed", _("membership lapsed")
        LEFT_GROUP = "left_group", _("left the group")
        GROUP_CLOSED = "group_closed", _("the group was closed")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="offices")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offices")
    kind = models.CharField(_("office"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100, blank=True, help_text=_("For other offices."))
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=EndReason.choices, blank=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["group", "kind", "-started_on"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        indexes = [models.Index(fields=["person", "ended_on"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.person} ({self.group})"

    @property
    def label(self) -> str:
        return self.title if self.kind == self.Kind.OTHER and self.title else self.get_kind_display()


# --- Quarterly reports and the contact log (seed 001, sections 6–7) --------------------------


class ActivityType(models.TextChoices):
    STAND = "stand", _("stand")
    LETTER_TO_EDITOR = "letter_to_editor", _("letter to the editor")
    OPEN_EVENT = "open_event", _("expert evening or open event")
    SIGNATURES = "signatures", _("collecting signatures")
    ONLINE_ACTIONS = "online_actions", _("sharing online actions")
    LETTERS_TO_AUTHORITIES = "letters_to_authorities", _("letters to authorities")
    LOBBYING = "lobbying", _("lobbying")
    TRAINING = "training", _("training new members")
    RECRUITING = "recruiting", _("recruiting members")
    OTHER = "other", _("other")


class QuarterlyReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(group__in=Group.objects.visible_to(user))

    def for_quarter(self, quarter):
        return self.filter(year=quarter.year, quarter=quarter.number)

    def submitted(self):
        return self.exclude(status=QuarterlyReport.Status.DRAFT)


class QuarterlyReport(models.Model):
    """What a group did in a quarter and plans for the next: one per group and quarter."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        REVIEWED = "reviewed", _("reviewed")

    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(n, str(n)) for n in range(1, 5)])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    members_count = models.PositiveSmallIntegerField(_("members in the group now"), null=True, blank=True)
    support_needed = models.TextField(_("support the group needs from the secretariat"), blank=True)
    comments = models.TextField(_("comments"), blank=True)

    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_late = models.BooleanField(_("submitted after the deadline"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feedback = models.TextField(_("feedback to the group"), blank=True)
    needs_follow_up = models.BooleanField(_("the group needs follow-up"), default=False)
    # Bumped by every save: a second person saving an older copy is told what changed.
    revision = models.PositiveIntegerField(default=0)

    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "group__name"]
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        constraints = [
            models.UniqueConstraint(fields=["group", "year", "quarter"], name="one_report_per_group_and_quarter")
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"]),
            # The reports waiting for review, on every regional dashboard: a few among many.
            models.Index(fields=["group"], condition=models.Q(status="submitted"), name="report_to_review_idx"),
        ]

    def __str__(self):
        return f"{self.group} {self.year}-Q{self.quarter}"

    def get_absolute_url(self):
        return reverse("groups:report", args=[self.group_id, f"{self.year}-Q{self.quarter}"])

    @property
    def period(self):
        from groups.quarters import Quarter

        return Quarter(self.year, self.quarter)


class ReportActivity(models.Model):
    """An activity in a report: done in the quarter, or planned for the next one."""

    class Kind(models.TextChoices):
        DONE = "done", _("completed")
        PLANNED = "planned", _("planned")

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("completed or planned"), max_length=10, choices=Kind.choices, default=Kind.DONE)
    date = models.DateField(_("date"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=ActivityType.choices)
    outward = models.BooleanField(_("outward-facing"), default=True, help_text=_("Had a recipient outside the group."))
    priority_area = models.ForeignKey(
        PriorityArea, verbose_name=_("priority area"), on_delete=models.PROTECT, null=True, blank=True
    )
    campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants from the group"), null=True, blank=True)
    signatures = models.PositiveIntegerField(_("signatures collected"), null=True, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    description = models.CharField(_("short description"), max_length=500, blank=True)

    class Meta:
        ordering = ["kind", "date", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return f"{self.get_type_display()} {self.date or ''}".strip()


class ReportVersion(models.Model):
    """A submitted report as it was at each submission: editing after submitting keeps the old one."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("content"))

    class Meta:
        ordering = ["report", "-number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_report_version_number")]

    def __str__(self):
        return f"{self.report} v{self.number}"


class ReminderStep(models.Model):
    """A reminder step taken for a group's report of a quarter. The unique row is the claim: each
    step happens at most once per group and quarter, whatever runs the sweep and how often."""

    class Step(models.TextChoices):
        BEFORE_DEADLINE = "before", _("friendly reminder before the deadline")
        OVERDUE = "overdue", _("overdue reminder")
        SECOND_OVERDUE = "second", _("second overdue reminder, copied to the leader and deputy")
        REGIONAL_LEADER = "regional", _("regional leader told")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="reminder_steps")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    step = models.CharField(max_length=10, choices=Step.choices)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder step")
        verbose_name_plural = _("reminder steps")
        constraints = [models.UniqueConstraint(fields=["group", "year", "quarter", "step"], name="one_reminder_step")]

    def __str__(self):
        return f"{self.group} {self.year}-Q{self.quarter}: {self.get_step_display()}"


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        from amnesty_portal.permissions import roles_of

        roles = roles_of(user)
        if roles.is_admin:
            return self
        return self.filter(group__region_id__in=roles.staff_region_ids)


class Contact(models.Model):
    """The secretariat's contact with a group: at least one a quarter (seed 001, section 7)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        PHONE = "phone", _("phone")
        MEETING = "meeting", _("meeting")
        VISIT = "visit", _("visit")
        REPORT_FEEDBACK = "report_feedback", _("feedback on the quarterly report")

    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    report = models.OneToOneField(
        QuarterlyReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("contact with a group")
        verbose_name_plural = _("contact log")
        indexes = [
            models.Index(fields=["group", "-date"]),
            # "Contacted this quarter" (dashboards, follow-up lists): a date range, then the group.
            models.Index(fields=["date", "group"], name="contact_date_group_idx"),
        ]

    def __str__(self):
        return f"{self.group} {self.date} ({self.get_channel_display()})"
