"""Role-aware navigation for the base template."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amnesty_portal.permissions import roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "roles": roles_of(None)}
    roles = roles_of(user)
    items = [(reverse("home"), _("My page"))]
    if roles.is_regional_staff or roles.is_admin:
        items.append((reverse("dashboard:overview"), _("Dashboard")))
    if roles.member_group_ids or roles.is_regional_staff or roles.is_admin:
        items.append((reverse("groups:list"), _("Groups")))
    else:
        items.append((reverse("groups:directory"), _("Find a group")))
    items.append((reverse("engage:start"), _("Engage locally")))
    if roles.is_admin or roles.is_regional_leader:
        items.append((reverse("groups:registrations"), _("Registrations")))
    if roles.is_admin:
        items.append((reverse("groups:review"), _("Follow-up")))
    if roles.is_regional_staff or roles.is_admin or roles.is_group_officer:
        items.append((reverse("activists:person_list"), _("People")))
    if roles.is_regional_staff or roles.is_admin:
        items.append((reverse("activists:activist_list"), _("Individual activists")))
    if roles.is_regional_staff or roles.is_admin:
        items.append((reverse("regions:list"), _("Regions")))
    if roles.is_admin:
        items.append((reverse("activists:import_members"), _("Member register")))
        items.append((reverse("activists:erasure_requests"), _("Erasure requests")))
    if roles.is_admin:
        items.append((reverse("campaigns:alert_list"), _("Urgent actions")))
    items.append((reverse("activists:profile"), _("My profile")))
    current = request.path
    dashboard = reverse("dashboard:overview")
    nav = [
        {"url": url, "label": label, "active": current == url or (url == dashboard and current.startswith(url))}
        for url, label in items
    ]
    return {"nav_items": nav, "roles": roles}
