"""Every list, detail and dashboard view makes a fixed number of queries: no N+1.

Each test builds at least two of every related thing and then doubles them; the count must not
change.
"""

import pytest
from django.urls import reverse

from groups.models import Office
from tests import factories as f

pytestmark = pytest.mark.django_db


def _grow(world, n):
    """Add n groups to Bergen, each with two members, a contact and a leader."""
    for _ in range(n):
        group = f.GroupFactory()
        f.make_contact(group)
        leader = f.PersonFactory()
        f.MembershipFactory(group=group, person=leader)
        f.OfficeFactory(group=group, person=leader, kind=Office.Kind.LEADER)
        f.MembershipFactory(group=group)


def _count(client, url, assert_num_queries, expected):
    with assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


# (url name, kwargs factory, role, queries) — the count is the same for 2 and for 6 extra groups.
VIEWS = [
    ("groups:list", None, "admin", 7),
    ("groups:list", None, "leader", 7),
    ("groups:detail", lambda w: {"pk": w.group.pk}, "leader", 8),
    ("activists:person_list", None, "admin", 7),
    ("activists:person_list", None, "leader", 7),
    ("activists:person_detail", lambda w: {"pk": w.member.pk}, "leader", 9),
    ("regions:list", None, "admin", 7),
    ("regions:detail", lambda w: {"slug": "bergen"}, "leader", 9),
    ("home", None, "member", 6),
]


@pytest.mark.parametrize(("name", "kwargs", "role", "queries"), VIEWS, ids=[f"{v[0]}-{v[2]}" for v in VIEWS])
def test_query_count_does_not_grow_with_rows(world, login, assert_num_queries, settings, name, kwargs, role, queries):
    # With Redis, sessions come from the cache (one query fewer); count against the database alike.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    _grow(world, 2)
    f.MembershipFactory(group=world.group)
    client = login(world.user(role))
    _count(client, url, assert_num_queries, queries)
    _grow(world, 4)
    f.MembershipFactory(group=world.group)
    f.MembershipFactory(group=world.group)
    _count(client, url, assert_num_queries, queries)
