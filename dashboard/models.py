"""Summary tables behind the dashboards: counts per region and quarter, refreshed by a task.

The dashboards never aggregate people or activities live: at 100,000 members and a million
activities that takes far longer than a page may. ``dashboard.summaries.refresh()`` recomputes
these rows from the registers (hourly, after a report is submitted, and after the demo data or a
member import loads); a page then sums a few hundred rows. The rows hold true counts: the privacy
rule (``amnesty_portal.privacy``) applies when figures are shown, never here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Refresh(models.Model):
    """One run of ``summaries.refresh()``: when the figures on the dashboards were computed."""

    finished_at = models.DateTimeField(_("finished at"))
    seconds = models.FloatField(_("seconds taken"))

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"
        verbose_name = _("refresh of the dashboard figures")
        verbose_name_plural = _("refreshes of the dashboard figures")

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M} ({self.seconds:.1f} s)"


class PeopleFigure(models.Model):
    """How many people of one kind lived in a region at a quarter's end, counted along one dimension.

    Each dimension is stored on its own (its values add up to the scope's total), since the
    dashboards show one dimension per table: a few thousand rows for the whole country.
    """

    class Scope(models.TextChoices):
        MEMBER = "member", _("members")
        ACTIVE = "active", _("active people")
        ACTIVE_MEMBER = "active_member", _("active members")
        NEW_MEMBER = "new_member", _("new members")
        NEW_ENGAGED = "new_engaged", _("new members who have engaged")

    class Dimension(models.TextChoices):
        TOTAL = "total", _("everyone")
        GENDER = "gender", _("gender")
        AGE = "age", _("age")
        PLACE = "place", _("city or not")
        CENTRALITY = "centrality", _("centrality")

    # Values per dimension. "total" has the single value "all".
    GENDERS = {"man": _("men"), "woman": _("women"), "other": _("other genders"), "unknown": _("not stated")}
    AGES = {"under_30": _("under 30"), "30_60": _("30–60"), "over_60": _("over 60"), "unknown": _("not stated")}
    PLACES = {"city": _("the five cities"), "outside": _("outside them"), "unknown": _("place not known")}
    CENTRALITIES = {
        "12": _("centrality 1–2"),
        "34": _("centrality 3–4"),
        "56": _("centrality 5–6"),
        "unknown": _("place not known"),
    }

    # Null: people whose postal code does not place them in a region (missing, or Svalbard).
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, null=True, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    scope = models.CharField(max_length=20, choices=Scope.choices)
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    value = models.CharField(max_length=20)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["year", "quarter"], name="people_figure_quarter")]

    def __str__(self):
        return f"{self.region_id} {self.year}-Q{self.quarter} {self.scope} {self.dimension}={self.value}: {self.count}"


class ActivityFigure(models.Model):
    """Completed activities and their participants in a region's quarter, counted along one dimension."""

    class Dimension(models.TextChoices):
        TYPE = "type", _("type")
        OUTWARD = "outward", _("outward-facing or not")
        PRIORITY_AREA = "priority_area", _("priority area")
        CAMPAIGN = "campaign", _("campaign")

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    # The type's code; "yes"/"no" for outward; a priority area's pk; the campaign's name ("" for none).
    value = models.CharField(max_length=200, blank=True)
    activities = models.PositiveIntegerField()
    participants = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["year", "quarter"], name="activity_figure_quarter")]

    def __str__(self):
        return f"{self.region_id} {self.year}-Q{self.quarter} {self.dimension}={self.value}: {self.activities}"
