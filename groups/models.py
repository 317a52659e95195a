"""Groups, their members and their dated offices."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amnesty_portal.permissions import scope_groups


class GroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_groups(self, user)

    def active(self):
        return self.exclude(status=Group.Status.CLOSED)


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
        CLOSED = "closed", _("closed")

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
    is_open = models.BooleanField(_("open to new members"), default=True)
    founded_on = models.DateField(_("founded on"), default=timezone.localdate)
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

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="offices")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offices")
    kind = models.CharField(_("office"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100, blank=True, help_text=_("For other offices."))
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["group", "kind", "-started_on"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        indexes = [models.Index(fields=["person", "ended_on"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.person} ({self.group})"
