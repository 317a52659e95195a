"""People: the custom user model (every person in the register is one), and their membership history."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amnesty_portal.permissions import scope_people


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
