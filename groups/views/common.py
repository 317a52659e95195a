"""What the group views share: turning a service's refusal into a form error, and list filters."""

from groups import services
from regions.models import Region


def form_error(form, exc: services.GroupError, *revision_forms):
    """Show a service's refusal next to the field it is about, or above the form. When someone else
    changed the group meanwhile, the form (or the given revision forms) shown again carries the
    group's current revision: submitting it again, after a look, is a deliberate retry."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    revision = getattr(exc, "revision", None)
    if revision is None:
        return
    for carrier in (form, *revision_forms):
        if "revision" in carrier.fields and carrier.is_bound:
            carrier.data = carrier.data.copy()
            carrier.data["revision"] = revision


def attempt(form, action, **kwargs):
    """Call a service; if it refuses, put its message on the form. Returns the result or None."""
    try:
        return action(**kwargs)
    except services.GroupError as exc:
        form_error(form, exc)
        return None


def filter_by_region(request, groups):
    """The ?region=<slug> filter: returns the groups, the chosen slug and the regions to choose from."""
    region = request.GET.get("region", "")
    regions = list(Region.objects.order_by("name"))
    if region in {r.slug for r in regions}:
        groups = groups.filter(region__slug=region)
    else:
        region = ""
    return groups, region, regions
