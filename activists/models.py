"""People: the custom user model (every person in the register is one), their membership history,
individual activists and what they do, the engage-locally catalogue, the welcome series, consent
and erasure (seeds 000 and 002)."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amnesty_portal.permissions import scope_activists, scope_gatherings, scope_people
from groups.models import ActivityType


def validate_birth_year(value):
    this_year = timezone.localdate().year
    if value < this_year - 110 or value > this_year - 5:
        raise ValidationError(
            _("%(year)s is not a plausible birth year (between %(low)s and %(high)s)."),
            code="implausible_birth_year",
            params={"year": value, "low": this_year - 110, "high": this_year - 5},
        )


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_people(self, user)

    def paying(self):
        return self.filter(membership_status=User.Membership.PAYING)


class PersonManager(BaseUserManager.from_queryset(PersonQuerySet)):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_secretariat=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the register: member, non-member activist or staff. Logs in by email."""

    class Gender(models.TextChoices):
        WOMAN = "woman", _("woman")
        MAN = "man", _("man")
        NON_BINARY = "non_binary", _("non-binary")
        OTHER = "other", _("other")
        UNSPECIFIED = "unspecified", _("prefer not to say")

    class Membership(models.TextChoices):
        PAYING = "paying", _("paying member")
        LAPSED = "lapsed", _("lapsed member")
        NON_MEMBER = "non_member", _("non-member activist")

    class Language(models.TextChoices):
        NB = "nb", _("Norwegian bokmål")
        EN = "en", _("English")

    # Stored lower-cased (save() and the import do it); imported members may lack one, hence NULL.
    email = models.EmailField(_("email"), max_length=254, null=True, blank=True, unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored in international format."))
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True, validators=[validate_birth_year]
    )
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    postal_code = models.ForeignKey(
        "regions.PostalCode",
        verbose_name=_("postal code"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("preferred language"), max_length=2, choices=Language.choices, default="nb")
    membership_number = models.CharField(_("membership number"), max_length=20, null=True, blank=True, unique=True)
    membership_status = models.CharField(
        _("membership status"), max_length=20, choices=Membership.choices, default=Membership.NON_MEMBER
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    lapsed_on = models.DateField(_("lapsed on"), null=True, blank=True)
    email_consent = models.BooleanField(_("consents to email"), default=False)
    # Set when the person's identifying data was removed (on request, or pruned after a lapse).
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    is_secretariat = models.BooleanField(
        _("secretariat admin"), default=False, help_text=_("Sees and manages everything in the portal.")
    )
    is_prize_jury = models.BooleanField(_("prize jury member"), default=False)
    is_staff = models.BooleanField(_("may use the Django admin"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("registered"), default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["membership_status"])]

    def __str__(self):
        if self.erased_at:
            return _("Erased person #%(pk)s") % {"pk": self.pk}
        return self.get_full_name() or self.email or self.membership_number or f"#{self.pk}"

    def save(self, *args, **kwargs):
        if self.email:
            self.email = self.email.strip().lower()
        else:
            self.email = None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("activists:person_detail", args=[self.pk])

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email or ""

    @property
    def is_member(self):
        return self.membership_status == self.Membership.PAYING

    def is_paying_on(self, day) -> bool:
        """Paying on that day: a lapse recorded with a later effective date has not happened yet."""
        if self.membership_status == self.Membership.PAYING:
            return True
        return self.membership_status == self.Membership.LAPSED and self.lapsed_on is not None and self.lapsed_on > day

    @classmethod
    def member_on_q(cls, day) -> models.Q:
        """Who was a member on that day, as a filter: joined by then and paying (see is_paying_on)."""
        joined = models.Q(member_since__isnull=True) | models.Q(member_since__lte=day)
        paying = models.Q(membership_status=cls.Membership.PAYING) | models.Q(
            membership_status=cls.Membership.LAPSED, lapsed_on__gt=day
        )
        return joined & paying

    @property
    def municipality(self):
        return self.postal_code.municipality if self.postal_code_id else None

    @property
    def region(self):
        municipality = self.municipality
        return municipality.county.region if municipality else None

    def age_in(self, year: int) -> int | None:
        return year - self.birth_year if self.birth_year else None


class MembershipEvent(models.Model):
    """A change of membership status, with the date it took effect: the history later rules read."""

    class Source(models.TextChoices):
        IMPORT = "import", _("register import")
        ADMIN = "admin", _("admin edit")
        SIGNUP = "signup", _("sign-up")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="membership_events")
    status = models.CharField(_("status"), max_length=20, choices=User.Membership.choices)
    effective_on = models.DateField(_("effective on"), default=datetime.date.today)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-pk"]
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")

    def __str__(self):
        return f"{self.person}: {self.get_status_display()} ({self.effective_on})"


# --- Engaging locally: the catalogue, individual activists and what they do -------------------------


class Mode(models.TextChoices):
    """How a person would like to take part."""

    ALONE = "alone", _("on my own")
    WITH_OTHERS = "with_others", _("with others")
    ONLINE = "online", _("online")


class TimeOnOffer(models.TextChoices):
    """How much time a person has."""

    ONCE = "once", _("once, now and then")
    MONTHLY = "monthly", _("a few hours a month")
    REGULAR = "regular", _("regularly, every week or two")


class Bilingual:
    """Content admins write in bokmål and, optionally, English: ``<field>`` and ``<field>_en``."""

    def localized(self, field: str, language: str | None = None) -> str:
        """The field in the language asked for (the current one by default), bokmål as fallback."""
        language = (language or get_language() or "nb")[:2]
        if language == "en":
            return getattr(self, f"{field}_en") or getattr(self, field)
        return getattr(self, field)


class ActivityIdeaQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class ActivityIdea(Bilingual, models.Model):
    """A low-threshold activity in the engage-locally catalogue (seed 000), edited by admins:
    what it is, how to do it and the material to use, in bokmål and English."""

    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    title = models.CharField(_("title (bokmål)"), max_length=150)
    title_en = models.CharField(_("title (English)"), max_length=150, blank=True)
    summary = models.TextField(_("what it is, in plain words (bokmål)"))
    summary_en = models.TextField(_("what it is, in plain words (English)"), blank=True)
    how_to = models.TextField(_("how to do it (bokmål)"))
    how_to_en = models.TextField(_("how to do it (English)"), blank=True)
    material_url = models.URLField(_("material to use"), blank=True)
    modes = models.JSONField(
        _("ways of taking part"), default=list, blank=True, help_text=_("Any of: alone, with_others, online.")
    )
    times = models.JSONField(
        _("time it takes"), default=list, blank=True, help_text=_("Any of: once, monthly, regular.")
    )
    family_friendly = models.BooleanField(_("family-friendly"), default=False)
    priority_areas = models.ManyToManyField(
        "groups.PriorityArea",
        verbose_name=_("themes"),
        blank=True,
        related_name="activity_ideas",
        help_text=_("Leave empty for an activity that fits every theme."),
    )
    activity_type = models.CharField(
        _("counts as"), max_length=30, choices=ActivityType.choices, default=ActivityType.OTHER
    )
    is_meeting_place = models.BooleanField(
        _("the digital meeting place"),
        default=False,
        help_text=_("Joining it is an action of its own in the guided flow."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ActivityIdeaQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("activity idea")
        verbose_name_plural = _("activity ideas")

    def __str__(self):
        return self.title


class IndividualActivistQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_activists(self, user)

    def active(self):
        return self.filter(stopped_at__isnull=True)


class IndividualActivist(models.Model):
    """A person active on their own terms, outside a group (seed 000); members and non-members
    alike (seed 002). Their interests and availability decide what the portal suggests."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="activist_profile")
    modes = models.JSONField(_("ways of taking part"), default=list, blank=True)
    time = models.CharField(_("time on offer"), max_length=10, choices=TimeOnOffer.choices, blank=True)
    themes = models.ManyToManyField(
        "groups.PriorityArea", verbose_name=_("themes"), blank=True, related_name="individual_activists"
    )
    family_friendly = models.BooleanField(_("would like family-friendly activities"), default=False)
    ideas = models.ManyToManyField(
        ActivityIdea, verbose_name=_("chosen activities"), blank=True, related_name="individual_activists"
    )
    availability = models.TextField(_("when I can take part"), blank=True)
    in_meeting_place_since = models.DateTimeField(_("in the digital meeting place since"), null=True, blank=True)
    signed_up_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    # The last sign of life (sign-up, a changed profile, a logged activity): regional leaders
    # look up who has not been heard from for six months.
    last_heard_on = models.DateField(_("last heard from"), default=timezone.localdate, db_index=True)

    objects = IndividualActivistQuerySet.as_manager()

    class Meta:
        ordering = ["person__last_name", "person__first_name", "pk"]
        verbose_name = _("individual activist")
        verbose_name_plural = _("individual activists")

    def __str__(self):
        return str(self.person)

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None


class ActivistActivity(models.Model):
    """What an individual activist did: "a writing café on 3 March with 8 people". Counted in the
    regional dashboard next to the groups' reports, in the region where it happened."""

    activist = models.ForeignKey(IndividualActivist, on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(_("date"))
    type = models.CharField(_("type"), max_length=30, choices=ActivityType.choices)
    idea = models.ForeignKey(
        ActivityIdea, verbose_name=_("activity idea"), on_delete=models.SET_NULL, null=True, blank=True
    )
    description = models.CharField(_("what you did"), max_length=300)
    participants = models.PositiveIntegerField(_("participants"), default=1)
    outward = models.BooleanField(_("outward-facing"), default=True)
    priority_area = models.ForeignKey(
        "groups.PriorityArea", verbose_name=_("priority area"), on_delete=models.SET_NULL, null=True, blank=True
    )
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    # Kept as it was when logged: moving house does not move last year's activities.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("individual activity")
        verbose_name_plural = _("individual activities")
        indexes = [models.Index(fields=["date", "region"])]

    def __str__(self):
        return f"{self.date}: {self.description}"


class GatheringQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_gatherings(self, user)


class Gathering(models.Model):
    """A regional meeting or the national assembly, to which regional leaders invite activists."""

    class Kind(models.TextChoices):
        REGIONAL_MEETING = "regional_meeting", _("regional meeting")
        NATIONAL_ASSEMBLY = "national_assembly", _("national assembly")
        TRAINING = "training", _("campaign training")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty for a national gathering."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = GatheringQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("gathering")
        verbose_name_plural = _("gatherings")

    def __str__(self):
        return self.title


class GatheringInvitation(models.Model):
    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="gathering_invitations")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)

    class Meta:
        ordering = ["-invited_at", "-pk"]
        verbose_name = _("invitation to a gathering")
        verbose_name_plural = _("invitations to gatherings")
        constraints = [models.UniqueConstraint(fields=["gathering", "person"], name="one_invitation_per_gathering")]

    def __str__(self):
        return f"{self.gathering}: {self.person}"


# --- The welcome series ------------------------------------------------------------------------------


class WelcomeStep(Bilingual, models.Model):
    """One email of the welcome series for new members, its content and day edited by admins."""

    day = models.PositiveSmallIntegerField(_("days after joining"), unique=True)
    subject = models.CharField(_("subject (bokmål)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body = models.TextField(_("text (bokmål)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    invites_to_engage = models.BooleanField(
        _("invites the person to be active"),
        default=False,
        help_text=_("Adds the nearest groups and two or three activities that fit, with a link into the guided flow."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("welcome email")
        verbose_name_plural = _("welcome series")

    def __str__(self):
        return _("Day %(day)s: %(subject)s") % {"day": self.day, "subject": self.subject}


class WelcomeEnrolment(models.Model):
    """A new member's place in the welcome series: when it started and whether it has stopped."""

    class StopReason(models.TextChoices):
        ENGAGED = "engaged", _("became active")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        FINISHED = "finished", _("received every email")
        ERASED = "erased", _("personal data erased")

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="welcome")
    started_on = models.DateField(_("started on"))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stop_reason = models.CharField(_("why it stopped"), max_length=20, choices=StopReason.choices, blank=True)

    class Meta:
        verbose_name = _("welcome series of a member")
        verbose_name_plural = _("welcome series of members")
        indexes = [
            models.Index(fields=["started_on"], condition=models.Q(stopped_at__isnull=True), name="welcome_running_idx")
        ]

    def __str__(self):
        return f"{self.person}: {self.started_on}"


class WelcomeSend(models.Model):
    """A step sent to a person: the unique pair is the claim that sends each step at most once."""

    enrolment = models.ForeignKey(WelcomeEnrolment, on_delete=models.CASCADE, related_name="sends")
    step = models.ForeignKey(WelcomeStep, on_delete=models.PROTECT, related_name="sends")
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("welcome email sent")
        verbose_name_plural = _("welcome emails sent")
        constraints = [models.UniqueConstraint(fields=["enrolment", "step"], name="welcome_step_once")]

    def __str__(self):
        return f"{self.enrolment.person}: {self.step}"


# --- Consent and each person's own data -----------------------------------------------------------


class ConsentChange(models.Model):
    """A recorded change of consent to email: unsubscribing from an email, or editing the profile."""

    class Source(models.TextChoices):
        UNSUBSCRIBE_LINK = "link", _("unsubscribe link in an email")
        ONE_CLICK = "one_click", _("one-click unsubscribe from the mail program")
        PROFILE = "profile", _("own profile")
        SIGNUP = "signup", _("sign-up")
        ADMIN = "admin", _("admin edit")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consent_changes")
    consent = models.BooleanField(_("consents to email"))
    source = models.CharField(_("how"), max_length=20, choices=Source.choices)
    message_kind = models.CharField(_("from which email"), max_length=60, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")

    def __str__(self):
        return f"{self.person}: {self.consent} ({self.get_source_display()})"


class ErasureRequest(models.Model):
    """A person's request to have their personal data erased, confirmed or refused by an admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an admin")
        ERASED = "erased", _("erased")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="erasure_requests")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reason = models.TextField(_("reason given"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.TextField(_("answer to the person"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="pending"), name="one_pending_erasure_per_person"
            )
        ]

    def __str__(self):
        return f"{self.person}: {self.get_status_display()}"
