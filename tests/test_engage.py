"""The guided "engage locally" flow: matching, the steps, the share link, and the actions on the
results page (asking to join a group, signing up as an individual activist, the meeting place)."""

import dataclasses
import importlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.urls import reverse

from activists import engage
from activists.engage import Answers
from activists.models import ActivityIdea, IndividualActivist, User
from amnesty_portal.models import AuditEvent, OutboxMessage
from groups.models import Group, JoinRequest, PriorityArea
from groups.services import BECOME_MEMBER_URL
from regions.models import County
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SAUDA = "4200"  # Sauda, Rogaland: region Stavanger, whose region also holds Agder


@pytest.fixture
def catalogue():
    importlib.import_module("activists.migrations.0005_activity_catalogue").add(apps, None)
    return {idea.slug: idea for idea in ActivityIdea.objects.all()}


def _municipality(number):
    return f.Municipality.objects.get(number=number)


@pytest.fixture
def rogaland():
    """Groups at every distance from Sauda, and some that must never be suggested."""
    return {
        "here": f.GroupFactory(name="Amnesty Sauda", municipality=_municipality("1135")),
        "county": f.GroupFactory(name="Amnesty Stavanger", municipality=_municipality("1103")),
        "region": f.GroupFactory(name="Amnesty Kristiansand", municipality=_municipality("4204")),
        "elsewhere": f.GroupFactory(name="Amnesty Bergen", municipality=_municipality("4601")),
        "full": f.GroupFactory(name="Amnesty Sauda lukket", municipality=_municipality("1135"), is_open=False),
        "pending": f.GroupFactory(
            name="Amnesty Sauda ny", municipality=_municipality("1135"), status=Group.Status.PENDING
        ),
        "closed": f.GroupFactory(
            name="Amnesty Sauda nedlagt", municipality=_municipality("1135"), status=Group.Status.CLOSED
        ),
    }


def _area(index):
    return PriorityArea.objects.filter(is_current=True).order_by("order", "pk")[index]


# --- Matching ---------------------------------------------------------------------------------------


def test_groups_come_nearest_first_municipality_then_county_then_region(rogaland):
    suggestions = engage.suggest(Answers(postal_code=SAUDA))
    assert suggestions.place.name == "Sauda"
    assert [g.name for g in suggestions.groups] == ["Amnesty Sauda", "Amnesty Stavanger", "Amnesty Kristiansand"]
    here, county, region = suggestions.groups
    assert "your municipality" in here.why
    assert "Rogaland county" in county.why
    assert "region Stavanger" in region.why


def test_digital_groups_match_the_chosen_themes(rogaland):
    climate = f.GroupFactory(name="Digital klima", municipality=None, region=f.region("oslo"))
    climate.priority_areas.add(_area(0))
    speech = f.GroupFactory(name="Digital ytring", municipality=None, region=f.region("oslo"))
    speech.priority_areas.add(_area(1))
    f.GroupFactory(name="Digital lukket", municipality=None, region=f.region("oslo"), is_open=False)

    chosen = engage.suggest(Answers(postal_code=SAUDA, themes=[_area(0).pk]))
    assert [g.name for g in chosen.digital_groups] == ["Digital klima"]
    assert _area(0).name in chosen.digital_groups[0].why
    assert [g.name for g in engage.suggest(Answers()).digital_groups] == ["Digital klima", "Digital ytring"]
    # Digital groups never count as nearby.
    assert "Digital klima" not in [g.name for g in chosen.groups]


def test_ideas_are_filtered_by_mode_time_family_and_theme_in_catalogue_order(catalogue):
    def slugs(**answers):
        return [idea.slug for idea in engage.suggest(Answers(**answers)).ideas]

    everything = slugs()
    assert everything == [i.slug for i in ActivityIdea.objects.published() if not i.is_meeting_place]
    assert set(slugs(family=True)) == {"orienteringslop", "skriv-for-liv", "pride", "trillegruppe"}
    assert set(slugs(modes=["online"])) == {"sosiale-medier", "skriv-for-liv"}
    assert set(slugs(time="regular")) == {"sosiale-medier", "trillegruppe"}
    lgbt = PriorityArea.objects.get(name="Skeives rettigheter (lhbti+)")
    assert "pride" in slugs(themes=[lgbt.pk])
    # An idea with no theme fits every theme; one with a theme only its own.
    assert "skriv-for-liv" in slugs(themes=[_area(0).pk])
    assert "pride" not in slugs(themes=[_area(0).pk])
    catalogue["filmvisning"].is_published = False
    catalogue["filmvisning"].save()
    assert "filmvisning" not in slugs()


def test_the_meeting_place_is_offered_to_everyone_and_ideas_say_why(catalogue):
    suggestions = engage.suggest(Answers(modes=["alone"], family=True), language="en")
    assert suggestions.meeting_place.slug == "digital-moteplass"
    assert suggestions.meeting_place.title_shown == "Join the digital meeting place for individual activists"
    write = next(idea for idea in suggestions.ideas if idea.slug == "skriv-for-liv")
    assert write.title_shown == "Write for Rights"
    assert "on my own" in write.why and "Children can take part." in write.why


def test_results_make_the_same_number_of_queries_whatever_the_catalogue(rogaland, catalogue, django_assert_num_queries):
    answers = Answers(postal_code=SAUDA, themes=[_area(0).pk])
    f.GroupFactory(municipality=None, region=f.region("oslo")).priority_areas.add(_area(0))
    # The place, the themes, the groups, the digital groups and their themes, the ideas and theirs.
    with django_assert_num_queries(7):
        engage.suggest(answers)
    for n in range(5):
        f.GroupFactory(municipality=_municipality("1103")).priority_areas.add(_area(0))
        f.GroupFactory(municipality=None, region=f.region("oslo")).priority_areas.add(_area(0))
        ActivityIdea.objects.create(slug=f"idea-{n}", title="Idé", summary="x", how_to="y").priority_areas.add(_area(0))
    with django_assert_num_queries(7):
        engage.suggest(answers)


# Places at every distance from each other: the same municipality (Sauda twice), the same county
# (Stavanger), the same region (Kristiansand), other regions (Bergen, Voss, Oslo, Tromsø), a county with
# no region (Alta, Båtsfjord), no municipality (Svalbard, Jan Mayen), unknown, not valid, none.
PLACES = [SAUDA, "4208", "4001", "4608", "5003", "5700", "0150", "9008", "9501", "9990", "9170", "8099"]
PLACES += ["0000", "12a4", ""]


def _compared(found):
    """Everything suggestions show, to compare them."""
    return (
        found.place.pk if found.place else None,
        [(group.pk, group.distance, group.why) for group in found.groups],
        [(group.pk, group.why) for group in found.digital_groups],
        [(idea.pk, idea.why, idea.title_shown, idea.summary_shown, idea.how_to_shown) for idea in found.ideas],
        [area.pk for area in found.themes],
        (found.meeting_place.pk, found.meeting_place.title_shown) if found.meeting_place else None,
    )


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("chosen", [False, True], ids=["no answers", "themes and modes"])
def test_suggest_many_gives_what_suggest_gives_for_each_place(
    rogaland, catalogue, django_assert_num_queries, language, chosen
):
    County.objects.filter(number="56").update(region=None)  # Finnmark, for once with no region office
    f.GroupFactory(name="Amnesty Alta", municipality=_municipality("5601"), region=f.region("tromso"))
    f.GroupFactory(name="Amnesty Båtsfjord", municipality=_municipality("5632"), region=f.region("tromso"))
    for n in range(12):  # more than the limit in Agder, some with the same name (ordered by pk)
        f.GroupFactory(name=f"Amnesty Agder {n % 5}", municipality=_municipality("4204" if n % 2 else "4215"))
    f.GroupFactory(name="Amnesty Stavanger for Bergen", municipality=_municipality("1103"), region=f.region("bergen"))
    f.GroupFactory(name="Amnesty Oslo", municipality=_municipality("0301"))
    f.GroupFactory(name="Amnesty Tromsø", municipality=_municipality("5501"))
    f.GroupFactory(name="Amnesty Voss", municipality=_municipality("4621"))
    digital = f.GroupFactory(name="Digital klima", municipality=None, region=f.region("oslo"))
    digital.priority_areas.add(_area(0))
    f.GroupFactory(name="Digital åpen", municipality=None, region=f.region("oslo"))
    answers = Answers(modes=["online", "alone"], themes=[_area(0).pk, _area(1).pk]) if chosen else Answers()

    # The places, (the themes,) the nearby groups, the digital groups and theirs, the ideas and theirs.
    with django_assert_num_queries(7 if chosen else 6):
        many = engage.suggest_many(PLACES, language=language, answers=answers)
    assert list(many) == PLACES
    for code in PLACES:
        one = engage.suggest(dataclasses.replace(answers, postal_code=code), language=language)
        assert _compared(many[code]) == _compared(one), code
    limited = engage.suggest_many(PLACES, language=language, answers=answers, group_limit=3)
    for code in PLACES:
        whole = _compared(many[code])
        assert _compared(limited[code]) == (whole[0], whole[1][:3], *whole[2:]), code
    # Not vacuous: the places differ as they should.
    assert [(g.name, g.distance) for g in many[SAUDA].groups][:4] == [
        ("Amnesty Sauda", 0),
        ("Amnesty Stavanger", 1),
        ("Amnesty Stavanger for Bergen", 1),  # in Rogaland, though its region is Bergen
        ("Amnesty Agder 0", 2),
    ]
    assert _compared(many[SAUDA]) == _compared(many["4208"])
    assert len(many[SAUDA].groups) == engage.GROUP_LIMIT  # the region fills up to the limit
    kristiansand = [g.distance for g in many["4608"].groups]
    assert kristiansand == [0] * 7 + [1] * 6  # the whole county, more than the limit, and nothing else
    assert ("Amnesty Stavanger for Bergen", 2) in [(g.name, g.distance) for g in many["5003"].groups]
    # Finnmark has no region office here: its groups are the county's only, never Tromsø's.
    assert [(g.name, g.distance) for g in many["9501"].groups] == [("Amnesty Alta", 0), ("Amnesty Båtsfjord", 1)]
    assert [(g.name, g.distance) for g in many["9990"].groups] == [("Amnesty Båtsfjord", 0), ("Amnesty Alta", 1)]
    assert [(g.name, g.distance) for g in many["9008"].groups] == [
        ("Amnesty Tromsø", 0),
        ("Amnesty Alta", 2),
        ("Amnesty Båtsfjord", 2),
    ]
    for code in ("9170", "8099", "0000", "12a4", ""):
        assert many[code].place is None and many[code].groups == []
        assert _compared(many[code])[2:] == _compared(many[SAUDA])[2:]  # the same digital groups and ideas


def test_suggest_many_makes_the_same_queries_for_one_place_and_for_every_place(rogaland, django_assert_num_queries):
    codes = list(f.PostalCode.objects.values_list("code", flat=True))
    with django_assert_num_queries(5):  # no digital group: their themes are not looked up
        assert engage.suggest_many(codes[:1])[codes[0]].place.name == "Oslo"
    with django_assert_num_queries(5):
        everywhere = engage.suggest_many(codes)
    assert len(everywhere) == len(codes)
    assert [g.name for g in everywhere[SAUDA].groups] == [g.name for g in engage.suggest(Answers(SAUDA)).groups]


def test_answers_round_trip_and_drop_what_is_not_a_choice():
    answers = Answers.from_query(
        {"postal_code": ["5700"], "modes": ["online", "dancing"], "time": ["never"], "themes": ["3", "x", "3"]}
    )
    assert answers == Answers(postal_code="5700", modes=["online"], time="", themes=[3], family=False)
    assert Answers.from_query(parse_qs(answers.as_query())) == answers
    assert Answers.from_query({"postal_code": ["<script>"]}).postal_code == ""
    assert engage.flow_url(Answers(postal_code="5700")) == reverse("engage:results") + "?postal_code=5700"
    assert engage.flow_url(Answers()) == reverse("engage:start")


# --- The steps ----------------------------------------------------------------------------------------


def test_steps_carry_the_answers_to_the_results(client, rogaland, catalogue):
    area = _area(0)
    response = client.get(reverse("engage:start"), {"postal_code": SAUDA, "sent": "1"})
    assert response["Location"] == reverse("engage:modes") + f"?postal_code={SAUDA}"
    page = client.get(response["Location"]).content.decode()
    assert "You live in Sauda municipality, in Rogaland county." in page
    assert "Your region is Stavanger." in page
    assert 'aria-current="step"' in page and "Step 2 of 5" in page
    assert f'href="{reverse("engage:start")}?postal_code={SAUDA}"' in page  # Back
    response = client.get(reverse("engage:modes"), {"postal_code": SAUDA, "modes": ["alone", "online"], "sent": "1"})
    response = client.get(reverse("engage:time"), {**_query(response), "time": "once", "sent": "1"})
    response = client.get(reverse("engage:themes"), {**_query(response), "themes": [area.pk], "sent": "1"})
    response = client.get(reverse("engage:family"), {**_query(response), "family": "1", "sent": "1"})
    assert response["Location"].startswith(reverse("engage:results"))
    assert Answers.from_query(_query(response)) == Answers(SAUDA, ["alone", "online"], "once", [area.pk], True)
    page = client.get(response["Location"]).content.decode()
    assert page.index("Amnesty Sauda") < page.index("Amnesty Stavanger") < page.index("Amnesty Kristiansand")
    assert "Write for Rights" in page  # the English title, as the page is in English


def _query(response):
    return parse_qs(urlsplit(response["Location"]).query)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("57", "A postal code has four digits, for example 5700."),
        ("9999", "We do not know the postal code 9999."),
        ("8099", "We do not know the postal code 8099."),  # Svalbard: no municipality
        ("", "Write your postal code"),
    ],
)
def test_a_bad_postal_code_is_explained_next_to_the_field(client, code, message):
    response = client.get(reverse("engage:start"), {"postal_code": code, "sent": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    field = page[page.index('id="div_id_postal_code"') :]
    assert field.index("id_postal_code_error") < field.index("</div> </div>")
    assert 'aria-invalid="true"' in field


def test_a_required_choice_left_out_is_explained(client):
    response = client.get(reverse("engage:time"), {"postal_code": SAUDA, "sent": "1"})
    assert "Choose how much time you have." in response.content.decode()


def test_the_share_link_holds_the_answers_and_no_personal_data(login, world, rogaland):
    person = world.outsider
    person.phone = "+4799999999"
    person.save()
    client = login(person)
    url = engage.flow_url(Answers(postal_code=SAUDA, modes=["online"], family=True))
    page = client.get(url + "&email=outsider%40example.org").content.decode()
    share = re.search(r'<a href="([^"]+)" id="share-link">', page).group(1).replace("&amp;", "&")
    assert share == "http://testserver" + url
    assert set(parse_qs(urlsplit(share).query)) <= {"postal_code", "modes", "time", "themes", "family"}
    for personal in (person.email, person.first_name, person.last_name, "99999999", str(person.pk)):
        assert personal not in share
    # The link works for someone else, without an account.
    login(None)
    assert "Amnesty Sauda" in client.get(share).content.decode()


# --- Actions ------------------------------------------------------------------------------------------


def test_anonymous_action_sends_to_login_and_back_to_the_same_results(client, world, rogaland):
    results = engage.flow_url(Answers(postal_code=SAUDA, modes=["with_others"]))
    query = results.split("?", 1)[1]
    response = client.post(reverse("engage:join_group", args=[rogaland["here"].pk]) + "?" + query)
    assert response.status_code == 302
    login_url = urlsplit(response["Location"])
    assert login_url.path == reverse("account_login")
    assert parse_qs(login_url.query)["next"] == [results]
    assert not JoinRequest.objects.exists()
    # The results page offers the same way in, to log in or to create an account.
    page = client.get(results).content.decode()
    assert f"{reverse('account_signup')}?next=" in page and f"{reverse('account_login')}?next=" in page
    f.verify_email(world.outsider)
    response = client.post(
        reverse("account_login"), {"login": world.outsider.email, "password": f.PASSWORD, "next": results}
    )
    assert response["Location"] == results


def test_signing_up_keeps_the_answers_through_email_confirmation(client, world):
    results = engage.flow_url(Answers(postal_code="5700", modes=["online"]))
    response = client.post(
        reverse("account_signup"),
        {"email": "fresh@example.net", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"}
        | {"next": results},
    )
    assert response.status_code == 302
    message = OutboxMessage.objects.get(to="fresh@example.net")
    confirm = re.search(r"https?://[^/\s]+(/konto/confirm-email/\S+)", message.text).group(1)
    assert client.post(confirm)["Location"] == results


def test_asking_to_join_reaches_the_groups_contact_through_the_outbox(login, world, rogaland):
    group = rogaland["here"]
    contact = f.make_contact(group)
    client = login(world.outsider)
    query = Answers(postal_code=SAUDA).as_query()
    response = client.post(reverse("engage:join_group", args=[group.pk]) + "?" + query)
    assert response["Location"] == reverse("engage:results") + "?" + query + "#groups"
    join_request = JoinRequest.objects.get(group=group, person=world.outsider)
    assert join_request.status == JoinRequest.Status.PENDING
    assert OutboxMessage.objects.filter(kind="join_requested", recipient=contact).count() == 1
    page = client.get(reverse("engage:results") + "?" + query).content.decode()
    assert "You have asked to join." in page
    # A second click is refused politely and sends nothing more.
    client.post(reverse("engage:join_group", args=[group.pk]) + "?" + query)
    assert JoinRequest.objects.filter(group=group, person=world.outsider).count() == 1
    assert OutboxMessage.objects.filter(kind="join_requested").count() == 1


def test_a_closed_or_full_group_cannot_be_asked(login, world, rogaland):
    client = login(world.outsider)
    for name in ("full", "pending", "closed"):
        assert client.post(reverse("engage:join_group", args=[rogaland[name].pk])).status_code == 404


def test_a_non_member_is_told_why_and_may_still_sign_up(login, world, rogaland, catalogue):
    person = f.PersonFactory(membership_status=User.Membership.NON_MEMBER)
    client = login(person)
    url = engage.flow_url(Answers(postal_code=SAUDA))
    page = client.get(url).content.decode()
    assert "Only members of Amnesty can join a group" in page
    assert BECOME_MEMBER_URL in page
    assert reverse("engage:join_group", args=[rogaland["here"].pk]) not in page
    client.post(reverse("engage:join_group", args=[rogaland["here"].pk]))
    assert not JoinRequest.objects.exists()
    client.post(reverse("engage:sign_up") + "?postal_code=" + SAUDA, {"ideas": [catalogue["foredrag"].pk]})
    assert IndividualActivist.objects.get(person=person).ideas.get().slug == "foredrag"


def test_signing_up_as_an_activist_is_recorded_once(login, world, catalogue):
    area = _area(2)
    client = login(world.outsider)
    query = Answers(postal_code=SAUDA, modes=["alone", "online"], time="monthly", themes=[area.pk], family=True)
    url = reverse("engage:sign_up") + "?" + query.as_query()
    ideas = [catalogue["skriv-for-liv"].pk, catalogue["pride"].pk]
    for _ in range(2):
        response = client.post(url, {"ideas": ideas})
        assert response.status_code == 302
    activist = IndividualActivist.objects.get(person=world.outsider)
    assert activist.modes == ["alone", "online"]
    assert activist.time == "monthly"
    assert activist.family_friendly is True
    assert list(activist.themes.all()) == [area]
    assert {idea.slug for idea in activist.ideas.all()} == {"skriv-for-liv", "pride"}
    assert AuditEvent.objects.filter(action="activist.signed_up").count() == 1
    assert not AuditEvent.objects.filter(action="activist.interests_changed").exists()
    page = client.get(reverse("engage:results") + "?postal_code=" + SAUDA).content.decode()
    assert "You are signed up as an individual activist." in page
    assert f'value="{catalogue["pride"].pk}" id="choose-{catalogue["pride"].pk}" checked' in page


def test_joining_the_meeting_place_shows_its_link(login, world, settings, catalogue):
    settings.DIGITAL_MEETING_PLACE_URL = "https://example.org/moteplass"
    client = login(world.outsider)
    for _ in range(2):
        client.post(reverse("engage:meeting_place") + "?postal_code=" + SAUDA)
    activist = IndividualActivist.objects.get(person=world.outsider)
    assert activist.in_meeting_place_since is not None
    assert AuditEvent.objects.filter(action="activist.joined_meeting_place").count() == 1
    page = client.get(reverse("engage:results") + "?postal_code=" + SAUDA).content.decode()
    assert 'href="https://example.org/moteplass"' in page


def test_the_flow_is_linked_from_the_home_page_and_the_navigation(client, login, world):
    assert reverse("engage:start") in client.get(reverse("home")).content.decode()
    page = login(world.member).get(reverse("home")).content.decode()
    assert f'href="{reverse("engage:start")}"' in page


def test_the_catalogue_is_in_both_languages_and_loads_twice_without_change(catalogue):
    importlib.import_module("activists.migrations.0005_activity_catalogue").add(apps, None)
    ideas = ActivityIdea.objects.all()
    assert ideas.count() == len(catalogue) == 10
    for idea in ideas:
        assert idea.title and idea.title_en and idea.summary_en and idea.how_to_en, idea.slug
    assert ideas.filter(is_meeting_place=True).count() == 1
