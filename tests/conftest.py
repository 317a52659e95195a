"""Fixtures every test module shares: reference data, the cast of roles, query counting."""

import importlib
import os
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests import factories

# Playwright's sync API runs an event loop in the test thread; the ORM calls made beside it are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Counties, municipalities, postal codes, regions, priority areas and the statutes come from
    data migrations. A transactional test flushes the database afterwards, so reload them when
    they are gone."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server", "client", "admin_client"}:
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or names & {
        "transactional_db",
        "live_server",
    }
    request.getfixturevalue("transactional_db" if transactional else "db")
    from regions import reference_data
    from regions.models import PostalCode

    if not PostalCode.objects.exists():
        reference_data.load()
    from django.apps import apps

    from groups.models import PriorityArea

    if not PriorityArea.objects.exists():
        importlib.import_module("groups.migrations.0003_priority_areas_and_statutes").load(apps, None)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = False
    settings.SECURE_SSL_REDIRECT = False
    # Rate-limit counters live in the cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()


class World:
    """Two regions (Bergen, Oslo), a group in each, and one person in every role."""

    def __init__(self):
        f = factories
        self.group = f.GroupFactory(name="Amnesty Bergen sentrum")
        self.other_group = f.GroupFactory(
            name="Amnesty Grünerløkka", municipality=f.Municipality.objects.get(number="0301")
        )
        self.contact = f.make_contact(self.group, email="contact@example.org")
        self.member = f.PersonFactory(email="member@example.org")
        f.MembershipFactory(group=self.group, person=self.member)
        self.other_contact = f.make_contact(self.other_group, email="other.contact@example.org")
        self.leader = f.make_regional_leader("bergen", email="leader@example.org")
        self.other_leader = f.make_regional_leader("oslo", email="other.leader@example.org")
        self.admin = f.PersonFactory(email="admin@example.org", is_secretariat=True, is_staff=True, is_superuser=True)
        self.outsider = f.PersonFactory(email="outsider@example.org", postal_code=f.PostalCode.objects.get(code="0150"))
        self.region = f.region("bergen")
        self.other_region = f.region("oslo")

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def login(client):
    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@contextmanager
def _assert_num_queries(expected, using="default"):
    with CaptureQueriesContext(connections[using]) as context:
        yield context
    executed = len(context.captured_queries)
    if executed != expected:
        listing = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(context.captured_queries, start=1))
        pytest.fail(f"{executed} queries executed, {expected} expected:\n{listing}")


@pytest.fixture
def assert_num_queries():
    """`with assert_num_queries(7): client.get(url)`: fails with the list of queries if not exact."""
    return _assert_num_queries


@pytest.fixture
def english(settings):
    """Pages and messages in English, the strings' source language, as a visitor whose browser asks
    for English gets them: for tests that read the texts (the bokmål ones are checked by msgfmt)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
