"""Norway's geography (counties, municipalities, postal codes) and the organisation's five regions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from amnesty_portal.permissions import scope_regions

        return scope_regions(self, user)


class Region(models.Model):
    """One of the five regions, named after the city of its regional office."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    office_municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("office municipality"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("regions:detail", args=[self.slug])


class County(models.Model):
    number = models.CharField(_("county number"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.SET_NULL, null=True, blank=True, related_name="counties"
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self):
        return self.name


class Municipality(models.Model):
    class Centrality(models.IntegerChoices):
        C1 = 1, _("1 (most central)")
        C2 = 2, "2"
        C3 = 3, "3"
        C4 = 4, "4"
        C5 = 5, "5"
        C6 = 6, _("6 (least central)")

    number = models.CharField(_("municipality number"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=150)
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="municipalities"
    )
    centrality = models.PositiveSmallIntegerField(_("SSB centrality class"), choices=Centrality.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name


class PostalCode(models.Model):
    code = models.CharField(_("postal code"), max_length=4, primary_key=True)
    place = models.CharField(_("postal town"), max_length=100)
    # Svalbard and Jan Mayen have postal codes but are not municipalities.
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="postal_codes",
    )
    category = models.CharField(_("category"), max_length=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("postal code")
        verbose_name_plural = _("postal codes")

    def __str__(self):
        return f"{self.code} {self.place.title()}"


class RegionRole(models.Model):
    """A person's staff role in a region: regional leader or training coordinator."""

    class Kind(models.TextChoices):
        LEADER = "leader", _("regional leader")
        TRAINING_COORDINATOR = "training", _("training coordinator")

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="roles")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="region_roles"
    )
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["region", "kind"]
        verbose_name = _("regional role")
        verbose_name_plural = _("regional roles")
        constraints = [models.UniqueConstraint(fields=["region", "person", "kind"], name="unique_region_role")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.person} ({self.region})"
