"""factory-boy factories for the portal's models."""

import factory
from django.contrib.auth.hashers import make_password

from activists.models import User
from groups.models import Group, GroupMembership, Office
from regions.models import Municipality, PostalCode, Region, RegionRole  # noqa: F401 (used by conftest)

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = None


def password_hash():
    # Hashing is deliberately slow; tests share one hash.
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(PASSWORD)
    return _PASSWORD_HASH


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")
    birth_year = 1990
    membership_number = factory.Sequence(lambda n: f"T{n:06d}")
    membership_status = User.Membership.PAYING
    email_consent = True
    password = factory.LazyFunction(password_hash)
    postal_code = factory.LazyFunction(lambda: PostalCode.objects.get(code="5003"))


def region(slug):
    return Region.objects.get(slug=slug)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Amnesty testgruppe {n}")
    category = Group.Category.LOCAL
    status = Group.Status.RECOGNISED
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(number="4601"))
    region = factory.LazyAttribute(lambda o: o.municipality.county.region if o.municipality else region("oslo"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    person = factory.SubFactory(PersonFactory)


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    group = factory.SubFactory(GroupFactory)
    person = factory.SubFactory(PersonFactory)
    kind = Office.Kind.CONTACT


def make_contact(group, **person_kwargs):
    person = PersonFactory(**person_kwargs)
    MembershipFactory(group=group, person=person)
    OfficeFactory(group=group, person=person, kind=Office.Kind.CONTACT)
    return person


def make_regional_leader(region_slug, **person_kwargs):
    person = PersonFactory(**person_kwargs)
    RegionRole.objects.create(region=region(region_slug), person=person, kind=RegionRole.Kind.LEADER)
    return person


# --- Groups that meet the five criteria -----------------------------------------------------------


def verify_email(person):
    """Mark the person's email as confirmed in allauth, as criterion 4 asks of a contact."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=person, email=person.email, defaults={"verified": True, "primary": True})
    return person


def accept_current_statutes(group, by=None):
    from groups.models import StatutesAcceptance, StatutesVersion

    return StatutesAcceptance.objects.create(group=group, version=StatutesVersion.objects.current(), accepted_by=by)


def make_group_meeting_criteria(contact=None, **group_kwargs):
    """A recognised group that meets all five criteria: it accepted the current statutes, works on a
    current priority area, is open, and its contact (a paying member with a confirmed email; made
    here unless given) is its only member."""
    from groups.models import PriorityArea

    group = GroupFactory(**group_kwargs)
    group.priority_areas.add(PriorityArea.objects.filter(is_current=True).order_by("order", "pk").first())
    contact = contact or PersonFactory()
    accept_current_statutes(group, by=contact)
    MembershipFactory(group=group, person=contact)
    OfficeFactory(group=group, person=contact, kind=Office.Kind.CONTACT)
    verify_email(contact)
    return group
