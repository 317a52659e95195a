"""What the group views share: turning a service's refusal into a form error, and list filters."""

from groups import services
from regions.models import Region


def form_error(form, exc: services.GroupError):
    """Show a service's refusal next to the field it is about, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


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
