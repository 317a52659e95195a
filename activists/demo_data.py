"""Demo data for laptops and demonstrations: the regions' staff, about 70 groups and 600 people.

The groups have what recognition rests on (seed 001): priority areas and themes, the statutes
accepted by their contact, contacts with a confirmed email address, join requests, the regional
leaders' follow-up items, and a few groups that fail or are at risk of failing the five criteria.
Each recognised group has reported (or not) on the last four completed quarters: some reports came
late, some never came, most were reviewed with feedback by the regional leader, whose contact log
also holds the year's calls, emails, meetings and visits. Amnesty Bergen sentrum has not yet filed
the report for the quarter that has just ended, so that its demo contact has one to write.

`manage.py load_demo_data` (run by `make run`) calls `load()`. The data is the same every time: it
is planned in memory from a fixed seed and the reference data, then written by deterministic keys
(emails, group names), so a second run adds nothing and an interrupted one is completed, not
duplicated. Dates are relative to today, so the demo never looks stale.
"""

import datetime
import random
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from activists.models import MembershipEvent, User
from amnesty_portal.models import AuditEvent
from dashboard import summaries
from groups.criteria import refresh_standings
from groups.models import (
    ActivityType,
    Contact,
    CriterionStatus,
    FollowUp,
    Group,
    GroupMembership,
    JoinRequest,
    Office,
    PriorityArea,
    QuarterlyReport,
    ReportActivity,
    ReportVersion,
    StatutesAcceptance,
    StatutesVersion,
)
from groups.quarters import Quarter
from groups.reports import CONTENT_FIELDS, activity_data
from regions.models import Municipality, PostalCode, Region, RegionRole

SEED = 2026
MARKER_EMAIL = "admin@example.org"
OFFICE_CITIES = ("0301", "4601", "1103", "5001", "5501")
TARGET_PEOPLE = 600
LAPSED_SHARE = 0.08
NON_MEMBER_SHARE = 0.05

YOUTH, STUDENT, THEMATIC, LOCAL, PARENT = (
    Group.Category.YOUTH,
    Group.Category.STUDENT,
    Group.Category.THEMATIC,
    Group.Category.LOCAL,
    Group.Category.PARENT,
)
PAYING, LAPSED, NON_MEMBER = User.Membership.PAYING, User.Membership.LAPSED, User.Membership.NON_MEMBER
G = User.Gender

# (name, category, municipality number or None for a national digital group, school or institution)
GROUPS = [
    ("Amnesty Oslo sentrum", LOCAL, "0301", ""),
    ("Amnesty Grünerløkka", LOCAL, "0301", ""),
    ("Amnesty Nordstrand", LOCAL, "0301", ""),
    ("Amnesty Kvinnegruppe Oslo", THEMATIC, "0301", ""),
    ("Amnesty Jus Oslo", THEMATIC, "0301", ""),
    ("Amnesty Skeiv Oslo", THEMATIC, "0301", ""),
    ("Amnesty Midtøsten-gruppa Oslo", THEMATIC, "0301", ""),
    ("Amnesty-gruppa ved Universitetet i Oslo", STUDENT, "0301", "Universitetet i Oslo"),
    ("Amnesty OsloMet", STUDENT, "0301", "OsloMet – storbyuniversitetet"),
    ("Amnesty ungdom Oslo katedralskole", YOUTH, "0301", "Oslo katedralskole"),
    ("Amnesty ungdom Elvebakken vgs", YOUTH, "0301", "Elvebakken videregående skole"),
    ("Amnesty Barnevogngruppe Oslo", PARENT, "0301", ""),
    ("Amnesty Bergen sentrum", LOCAL, "4601", ""),
    ("Amnesty Fana", LOCAL, "4601", ""),
    ("Amnesty Åsane", LOCAL, "4601", ""),
    ("Amnesty-gruppa ved Universitetet i Bergen", STUDENT, "4601", "Universitetet i Bergen"),
    ("Amnesty HVL Bergen", STUDENT, "4601", "Høgskulen på Vestlandet, campus Bergen"),
    ("Amnesty ungdom Bergen katedralskole", YOUTH, "4601", "Bergen katedralskole"),
    ("Amnesty Jus Bergen", THEMATIC, "4601", ""),
    ("Amnesty Kvinnegruppe Bergen", THEMATIC, "4601", ""),
    ("Amnesty Stavanger", LOCAL, "1103", ""),
    ("Amnesty-gruppa ved Universitetet i Stavanger", STUDENT, "1103", "Universitetet i Stavanger"),
    ("Amnesty ungdom St. Olav vgs", YOUTH, "1103", "St. Olav videregående skole"),
    ("Amnesty Skeiv Stavanger", THEMATIC, "1103", ""),
    ("Amnesty Barnevogngruppe Stavanger", PARENT, "1103", ""),
    ("Amnesty Trondheim", LOCAL, "5001", ""),
    ("Amnesty NTNU Gløshaugen", STUDENT, "5001", "NTNU, campus Gløshaugen"),
    ("Amnesty NTNU Dragvoll", STUDENT, "5001", "NTNU, campus Dragvoll"),
    ("Amnesty Jus Trondheim", THEMATIC, "5001", ""),
    ("Amnesty ungdom Trondheim katedralskole", YOUTH, "5001", "Trondheim katedralskole"),
    ("Amnesty Tromsø", LOCAL, "5501", ""),
    ("Amnesty-gruppa ved UiT Norges arktiske universitet", STUDENT, "5501", "UiT Norges arktiske universitet"),
    ("Amnesty ungdom Kongsbakken vgs", YOUTH, "5501", "Kongsbakken videregående skole"),
    ("Amnesty Urfolksgruppa Tromsø", THEMATIC, "5501", ""),
    ("Amnesty digital klimagruppe", THEMATIC, None, ""),
    ("Amnesty digital ytringsfrihetsgruppe", THEMATIC, None, ""),
    ("Amnesty Bærum", LOCAL, "3201", ""),
    ("Amnesty Lillestrøm", LOCAL, "3205", ""),
    ("Amnesty-gruppa ved NMBU", STUDENT, "3218", "Norges miljø- og biovitenskapelige universitet"),
    ("Amnesty Fredrikstad", LOCAL, "3107", ""),
    ("Amnesty Drammen", LOCAL, "3301", ""),
    ("Amnesty ungdom Kongsberg vgs", YOUTH, "3303", "Kongsberg videregående skole"),
    ("Amnesty Hamar", LOCAL, "3403", ""),
    ("Amnesty ungdom Gjøvik vgs", YOUTH, "3407", "Gjøvik videregående skole"),
    ("Amnesty Tynset", LOCAL, "3427", ""),
    ("Amnesty Valdres", LOCAL, "3451", ""),
    ("Amnesty Tønsberg", LOCAL, "3905", ""),
    ("Amnesty-gruppa ved USN Bø", STUDENT, "4020", "Universitetet i Sørøst-Norge, campus Bø"),
    ("Amnesty Rjukan", LOCAL, "4026", ""),
    ("Amnesty Voss", LOCAL, "4621", ""),
    ("Amnesty Stord", LOCAL, "4614", ""),
    ("Amnesty-gruppa ved HVL Sogndal", STUDENT, "4640", "Høgskulen på Vestlandet, campus Sogndal"),
    ("Amnesty Førde", LOCAL, "4647", ""),
    ("Amnesty ungdom Askøy vgs", YOUTH, "4627", "Askøy videregående skole"),
    ("Amnesty Gulen", LOCAL, "4635", ""),
    ("Amnesty Sandnes", LOCAL, "1108", ""),
    ("Amnesty Haugesund", LOCAL, "1106", ""),
    ("Amnesty Kristiansand", LOCAL, "4204", ""),
    ("Amnesty-gruppa ved Universitetet i Agder", STUDENT, "4204", "Universitetet i Agder"),
    ("Amnesty Sauda", LOCAL, "1135", ""),
    ("Amnesty Ålesund", LOCAL, "1508", ""),
    ("Amnesty-gruppa ved Høgskulen i Volda", STUDENT, "1577", "Høgskulen i Volda"),
    ("Amnesty Røros", LOCAL, "5025", ""),
    ("Amnesty ungdom Levanger vgs", YOUTH, "5037", "Levanger videregående skole"),
    ("Amnesty Frøya", LOCAL, "5014", ""),
    ("Amnesty Bodø", LOCAL, "1804", ""),
    ("Amnesty-gruppa ved Nord universitet", STUDENT, "1804", "Nord universitet, Bodø"),
    ("Amnesty Harstad", LOCAL, "5503", ""),
    ("Amnesty Alta", LOCAL, "5601", ""),
    ("Amnesty Lofoten", LOCAL, "1860", ""),
    ("Amnesty Kautokeino", LOCAL, "5612", ""),
    ("Amnesty Vadsø", LOCAL, "5607", ""),
]
PENDING_GROUPS = {"Amnesty Barnevogngruppe Stavanger", "Amnesty ungdom Askøy vgs", "Amnesty Frøya"}
CLOSED_GROUPS = {"Amnesty Nordstrand", "Amnesty Vadsø"}
# Not open to new members: fail criterion 5.
CLOSED_TO_NEWCOMERS = {"Amnesty Jus Oslo", "Amnesty NTNU Dragvoll"}
NAMED_GROUP = "Amnesty Bergen sentrum"
# Recognised, but the contact person has stopped paying: fails "the contact must be a member".
LAPSED_CONTACT_GROUP = "Amnesty Harstad"
# Recognised, but the contact person stepped down three months ago and nobody took over. The
# secretariat has warned it.
NO_CONTACT_GROUP = "Amnesty Sauda"
# Recognised, but never accepted the statutes in the portal: fail criterion 1.
NO_STATUTES_GROUPS = ("Amnesty Lofoten", "Amnesty Sandnes")
# Recognised, but have not said which priority areas they work on: fail criterion 3.
NO_PRIORITY_GROUPS = ("Amnesty Alta", "Amnesty Stavanger")
# Registered in the portal and approved lately: days since the registration, days to the approval.
# The regional leader's welcome package and first contact are still on the follow-up list.
NEW_GROUPS = {"Amnesty Tynset": (38, 6), "Amnesty-gruppa ved USN Bø": (12, 5)}
# An ordinary member's membership lapsed this many days ago: still in grace, so the group is at risk.
RECENT_LAPSES = {"Amnesty Hamar": 9, "Amnesty-gruppa ved UiT Norges arktiske universitet": 23}
# Pending join requests: (group, days waiting). Over 14 days the group is at risk, over 30 it fails.
JOIN_REQUESTS = [
    (NAMED_GROUP, 3),
    ("Amnesty Oslo sentrum", 6),
    ("Amnesty-gruppa ved Universitetet i Bergen", 1),
    ("Amnesty Kristiansand", 20),
    ("Amnesty Ålesund", 17),
    ("Amnesty Drammen", 45),
]
# Answered: (group, days since asked, days to the answer).
DECLINED_JOIN_REQUEST = ("Amnesty Tønsberg", 60, 4)
JOIN_MESSAGES = {
    User.Language.NB: [
        "Hei! Jeg har nettopp flyttet hit og vil gjerne bli med i gruppa. Når er neste møte?",
        "Jeg var med på skrivemaraton i fjor og har lyst til å bidra mer.",
        "Hei, jeg har lenge hatt lyst til å engasjere meg i Amnesty. Kan jeg bli med?",
        "",
    ],
    User.Language.EN: [
        "Hi! I've just moved here and would love to join. When is your next meeting?",
        "I took part in Write for Rights last year and would like to do more.",
    ],
}
DECLINE_ANSWER = (
    "Takk for at du vil være med! Vi er en gruppe for folk i Tønsberg, og møtene er fysiske. "
    "Se etter en gruppe der du bor, eller bli enkeltaktivist."
)
CLOSINGS = {
    "Amnesty Nordstrand": {
        "stopping_reason": "De fleste av oss har flyttet, og ingen har tid til å ta over som leder.",
        "closing_reason": "Gruppa meldte selv at den legger ned arbeidet.",
    },
    "Amnesty Vadsø": {
        "warning_message": "Gruppa har ikke hatt kontaktperson eller aktivitet på et halvt år. "
        "Velg en kontaktperson og meld inn aktivitetene deres før fristen.",
        "closing_reason": "Gruppa har ikke hatt kontaktperson eller aktivitet på over et halvt år, "
        "og svarte ikke på advarselen.",
    },
}
WARNING = (
    "Gruppa har ikke hatt kontaktperson siden forrige kontaktperson gikk av. "
    "Velg en ny kontaktperson før fristen, ellers kan sekretariatet legge ned gruppa."
)
# Thematic groups work on the priority areas their names say (matched by words in the areas' names).
THEMATIC_AREAS = [
    ("Kvinne", ("Kvinner", "Diskriminering"), "Vold mot kvinner, samtykke og retten til abort"),
    ("Jus", ("Dødsstraff", "forsvarere"), "Rettssikkerhet, dødsstraff og fengslede menneskerettighetsforsvarere"),
    ("Skeiv", ("Skeiv", "Diskriminering"), "Skeives rettigheter i Norge og i verden, Pride"),
    ("Midtøsten", ("Flyktninger", "Ytringsfrihet"), "Flyktninger, ytringsfrihet og samvittighetsfanger i Midtøsten"),
    ("Urfolk", ("Urfolk", "Klima"), "Samiske rettigheter, arealkonflikter og klima"),
    ("klima", ("Klima",), "Klimarettferdighet og miljøforkjempere i fare"),
    ("ytringsfrihet", ("Ytringsfrihet", "Teknologi"), "Ytringsfrihet, digital overvåking og journalister i fare"),
]
THEMES = {
    LOCAL: [
        "Stands og underskriftsaksjoner i sentrum",
        "Skrivemaraton, filmkvelder og foredrag",
        "Brevaksjoner og debattmøter på biblioteket",
        "Appeller for samvittighetsfanger og stands på torget",
        "Aksjoner, foredrag og samarbeid med lokale organisasjoner",
    ],
    STUDENT: [
        "Debatter, foredrag og aksjoner på campus",
        "Skrivemaraton og menneskerettighetsuke på campus",
        "Filmkvelder og kampanjer på campus",
    ],
    YOUTH: [
        "Skrivemaraton og aksjoner på skolen",
        "Menneskerettighetsundervisning og stands i friminuttene",
        "Elevdebatter og kampanjer i sosiale medier",
    ],
    PARENT: ["Barnevognaksjoner og familievennlige arrangementer"],
    THEMATIC: ["Kampanjer og foredrag"],
}

# Quarterly reports (seed 001, section 6): the last four completed quarters of every recognised group.
REPORT_QUARTERS = 4
MISSING_SHARE = 0.10  # a group-quarter with no report at all
LATE_SHARE = 0.15  # submitted after the quarter's deadline
NEWEST_REVIEWED_SHARE = 0.5  # the newest quarter's reports are partly still awaiting review
FOLLOW_UP_SHARE = 0.08  # the regional leader marked the group as needing follow-up
# What groups do, by category (activity type and weight); national digital groups work online and in writing.
ACTIVITY_WEIGHTS = {
    LOCAL: "stand 30 signatures 12 letters_to_authorities 14 open_event 14 letter_to_editor 8 online_actions 6 "
    "lobbying 4 recruiting 4 training 4 other 4",
    STUDENT: "stand 22 open_event 24 signatures 10 letters_to_authorities 10 recruiting 12 online_actions 8 "
    "letter_to_editor 4 training 6 other 4",
    YOUTH: "stand 22 letters_to_authorities 20 signatures 14 online_actions 14 open_event 10 recruiting 10 "
    "training 6 other 4",
    PARENT: "stand 35 signatures 20 letters_to_authorities 20 online_actions 10 other 15",
    THEMATIC: "open_event 22 letter_to_editor 14 lobbying 12 stand 14 letters_to_authorities 14 online_actions 10 "
    "signatures 8 training 3 other 3",
    None: "online_actions 35 letter_to_editor 20 open_event 15 letters_to_authorities 15 lobbying 10 training 5",
}
ACTIVITY_WEIGHTS = {
    key: {ActivityType(name): int(weight) for name, weight in zip(text.split()[::2], text.split()[1::2], strict=True)}
    for key, text in ACTIVITY_WEIGHTS.items()
}
AT = ActivityType
INWARD_TYPES = {AT.TRAINING, AT.OTHER}  # no recipient outside the group
PLACES = {
    LOCAL: ("på torget", "i sentrum", "utenfor biblioteket", "på kjøpesenteret"),
    STUDENT: ("på campus", "i kantina", "utenfor studentsenteret"),
    YOUTH: ("på skolen", "i kantina", "i friminuttet"),
    PARENT: ("i parken", "på lekeplassen", "i sentrum"),
    THEMATIC: ("i sentrum", "på biblioteket", "på kulturhuset"),
    None: ("på nett",),
}
# {area}: a priority area in lower case; {place}: where, by the group's category.
DESCRIPTIONS = {
    AT.STAND: (
        "Stand {place} med løpesedler og samtaler om {area}",
        "Stand {place}, mange stoppet for en prat",
        "Aksjonsstand {place} om {area}",
    ),
    AT.LETTER_TO_EDITOR: (
        "Leserinnlegg i lokalavisa om {area}",
        "Kronikk om {area}, trykt i avisa og delt på nett",
    ),
    AT.OPEN_EVENT: (
        "Foredrag og samtale om {area}",
        "Filmkveld med debatt om {area}",
        "Åpent møte med innleder fra Amnesty om {area}",
    ),
    AT.SIGNATURES: (
        "Samlet underskrifter {place} for en fengslet aktivist",
        "Underskriftsaksjon {place} om {area}",
    ),
    AT.ONLINE_ACTIONS: (
        "Delte Amnestys nettaksjoner om {area} i sosiale medier",
        "Kampanje på Instagram og Facebook om {area}",
    ),
    AT.LETTERS_TO_AUTHORITIES: (
        "Skrev appellbrev til myndighetene for fengslede menneskerettighetsforsvarere",
        "Brevskrivingskveld med appeller om {area}",
    ),
    AT.LOBBYING: (
        "Møte med lokalpolitikere om {area}",
        "Innspill til kommunestyret om {area}",
    ),
    AT.TRAINING: (
        "Opplæring av nye medlemmer i standarbeid og aksjoner",
        "Kurskveld om menneskerettigheter for nye medlemmer",
    ),
    AT.RECRUITING: (
        "Vervestand {place} for å få med nye medlemmer",
        "Informasjonsmøte for nye, fire ble med i gruppa",
    ),
    AT.OTHER: (
        "Medlemsmøte med planlegging av neste kvartal",
        "Sosial samling og evaluering av semesteret",
    ),
}
PLANNED = {
    AT.STAND: "Stand {place} om {area}",
    AT.LETTER_TO_EDITOR: "Leserinnlegg om {area}",
    AT.OPEN_EVENT: "Foredrag og samtale om {area}",
    AT.SIGNATURES: "Underskriftsaksjon {place}",
    AT.ONLINE_ACTIONS: "Dele nettaksjoner om {area} i sosiale medier",
    AT.LETTERS_TO_AUTHORITIES: "Brevskrivingskveld med appeller om {area}",
    AT.LOBBYING: "Møte med lokalpolitikere om {area}",
    AT.TRAINING: "Opplæring av nye medlemmer",
    AT.RECRUITING: "Vervestand {place}",
    AT.OTHER: "Medlemsmøte og planlegging",
}
# Campaigns: Write for Rights ("Skriv for liv") around 10 December, Pride in June and late summer.
WRITE_FOR_RIGHTS = "Skriv for liv"
WRITE_FOR_RIGHTS_TYPES = {AT.STAND, AT.SIGNATURES, AT.LETTERS_TO_AUTHORITIES, AT.OPEN_EVENT}
WRITE_FOR_RIGHTS_TEXT = {
    AT.STAND: "Skriv for liv-stand {place}: folk skrev under på brev for ti personer i fare",
    AT.SIGNATURES: "Samlet underskrifter {place} til Skriv for liv",
    AT.LETTERS_TO_AUTHORITIES: "Skrivemaraton: brev til myndighetene for personene i Skriv for liv",
    AT.OPEN_EVENT: "Skrivemaraton med kaffe og pepperkaker, åpent for alle",
}
PRIDE_TYPES = {AT.STAND, AT.SIGNATURES, AT.OPEN_EVENT, AT.ONLINE_ACTIONS}
PRIDE_TEXT = {
    AT.STAND: "Pride-stand {place} med underskrifter for skeives rettigheter",
    AT.SIGNATURES: "Samlet underskrifter i Pride-parken",
    AT.OPEN_EVENT: "Debatt om skeives rettigheter i verden under Pride",
    AT.ONLINE_ACTIONS: "Delte Amnestys Pride-aksjoner i sosiale medier",
}
SUPPORT_NEEDED = (
    "Vi trenger løpesedler og banner til stand.",
    "Ønsker besøk fra regionkontoret på et medlemsmøte.",
    "Hjelp til å finne en foredragsholder om {area}.",
    "Opplæring i aksjonsplanlegging for de nye medlemmene.",
    "Materiell til skrivemaraton i god tid før desember.",
)
COMMENTS = (
    "Et godt kvartal med flere nye ansikter på møtene.",
    "Litt færre aktiviteter enn planlagt, mange hadde mye å gjøre.",
    "Standene fungerer best på lørdager, det tar vi med oss.",
    "Vi har fått ny leder og er i gang igjen etter en stille periode.",
)
FEEDBACK = (
    "Takk for rapporten! Flott å se så mye aktivitet, og fint at dere jobber med {area}.",
    "Takk for en fin rapport. Godt jobbet med standene, de når mange.",
    "Takk! Bra innsats dette kvartalet. Si fra hvis dere trenger materiell til neste aksjon.",
    "Tusen takk for rapporten. Spennende planer for neste kvartal, lykke til!",
    "Takk for rapporten. Fint at dere får med nye medlemmer, husk opplæringen fra regionkontoret.",
)
LATE_FEEDBACK = "Takk for rapporten. Den kom etter fristen, så husk den neste kvartal."
FOLLOW_UP_FEEDBACK = (
    "Takk for rapporten. Det har vært lite aktivitet dette kvartalet; jeg ringer dere for en prat om "
    "hvordan regionen kan hjelpe."
)
CONTACT_NOTES = {
    Contact.Channel.PHONE: (
        "Ringte kontaktpersonen: gruppa planlegger stand og trenger materiell.",
        "Telefonsamtale om rekruttering av nye medlemmer.",
        "Ringte for å høre hvordan det går etter valget av ny leder.",
    ),
    Contact.Channel.EMAIL: (
        "Sendte informasjon om høstens kampanjer og materiell.",
        "Svarte på spørsmål om hvordan man søker om aktivitetsmidler.",
        "Minnet om regionsamlingen og påmeldingen.",
    ),
    Contact.Channel.MEETING: (
        "Digitalt møte med styret om planene for semesteret.",
        "Møte med kontaktpersonen på regionkontoret.",
    ),
    Contact.Channel.VISIT: (
        "Besøkte medlemsmøtet og fortalte om skrivemaraton.",
        "Var med på gruppas stand og snakket med de nye medlemmene.",
    ),
}
CONTACT_CHANNEL_WEIGHTS = {
    Contact.Channel.EMAIL: 40,
    Contact.Channel.PHONE: 30,
    Contact.Channel.MEETING: 20,
    Contact.Channel.VISIT: 10,
}
VISITED_SHARE = 0.4  # the others were never visited in the year

# (email, first name, last name, gender, birth year, postal code, extra fields)
NAMED_ACCOUNTS = [
    ("region.oslo@example.org", "Tone", "Haugen", G.WOMAN, 1978, "0182", {}),
    ("opplaering.oslo@example.org", "Eirik", "Solberg", G.MAN, 1988, "0554", {}),
    ("region.bergen@example.org", "Marit", "Eide", G.WOMAN, 1975, "5003", {}),
    ("opplaering.bergen@example.org", "Sindre", "Vik", G.MAN, 1991, "5010", {}),
    ("region.stavanger@example.org", "Guro", "Sæther", G.WOMAN, 1983, "4006", {}),
    ("opplaering.stavanger@example.org", "Anders", "Berge", G.MAN, 1986, "4010", {}),
    ("region.trondheim@example.org", "Ingrid", "Moen", G.WOMAN, 1980, "7010", {}),
    ("opplaering.trondheim@example.org", "Håkon", "Lien", G.MAN, 1993, "7030", {}),
    ("region.tromso@example.org", "Elle", "Eira", G.WOMAN, 1984, "9008", {}),
    ("opplaering.tromso@example.org", "Trond", "Nilsen", G.MAN, 1979, "9010", {}),
    ("kontakt.bergen@example.org", "Sigrid", "Haugland", G.WOMAN, 1996, "5015", {}),
    ("medlem@example.org", "Jonas", "Bakke", G.MAN, 2001, "5035", {}),
    ("ny@example.org", "Amina", "Ali", G.WOMAN, 1998, "5700", {}),
    # The marker that the demo data is complete comes last.
    (
        MARKER_EMAIL,
        "Hanne",
        "Lunde",
        G.WOMAN,
        1972,
        "0150",
        {"is_secretariat": True, "is_staff": True, "is_superuser": True},
    ),
]

# Written as words, not list literals, so that the lists stay readable (ruff would put one per line).
WOMEN = (  # noqa: SIM905
    "Nora Emma Ella Maja Olivia Sofie Ingrid Leah Sara Frida Hedda Thea Selma Astrid Vilde Ida Emilie "
    "Tuva Julie Anna Hanna Marte Ingeborg Kari Anne Inger Liv Randi Solveig Berit Marit Hilde Kristin "
    "Silje Camilla Mari Ragnhild Turid Guro Siri Tone Heidi Line Linn Mette Eli Aud Gunn Synnøve Amina "
    "Fatima Zainab Aisha Maria Nina Karoline Mathilde Live Iben Sigrid"
).split()
MEN = (  # noqa: SIM905
    "Jakob Emil Noah Oliver Filip William Lucas Liam Henrik Oskar Aksel Theodor Elias Kasper Magnus "
    "Johannes Isak Mathias Tobias Sander Jonas Martin Andreas Ola Per Jan Lars Knut Arne Bjørn Terje "
    "Geir Tor Svein Kjell Hans Odd Rune Trond Espen Håkon Eirik Sindre Vegard Sigurd Even Torstein "
    "Øyvind Anders Kristian Ali Mohammed Omar Yusuf Daniel Adrian Halvard Fredrik Erlend Jørgen"
).split()
SURNAMES = (  # noqa: SIM905
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen "
    "Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen Henriksen Lund Halvorsen "
    "Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen Eide Knutsen Martinsen Paulsen "
    "Bakken Kristoffersen Mathisen Lie Amundsen Nguyen Rasmussen Ali Lunde Solheim Berge Moe Nygård "
    "Bakke Fredriksen Holm Lien Hauge Christensen Sæther Aas Myhre Ahmed Haugland Thorsen Næss Vik "
    "Ødegård Eira Hætta Somby"
).split()
GENDER_WEIGHTS = [
    (G.WOMAN, 60),
    (G.MAN, 33),
    (G.NON_BINARY, 3),
    (G.OTHER, 1),
    (G.UNSPECIFIED, 1.5),
    ("", 1.5),
]
AGE_BANDS = [((14, 19), 12), ((20, 29), 33), ((30, 44), 13), ((45, 60), 14), ((61, 80), 28)]
MOBILE_PREFIXES = ["40", "41", "45", "46", "47", "48", "90", "91", "92", "93", "94", "95", "97", "98", "99"]
GROUP_SIZES = list(range(3, 16))
GROUP_SIZE_WEIGHTS = [8, 10, 13, 12, 10, 8, 6, 4, 3, 2, 2, 1, 1]


def _mobile(rng) -> str:
    """A Norwegian mobile number that phonenumbers accepts: some blocks within a prefix are not
    allocated (+47 4536 …), so draw again until the number is valid."""
    while True:
        number = "+47" + rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 999_999):06d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


class DemoDataRefused(Exception):
    """The demo accounts share a public password, so demo data is never loaded with DEBUG off."""


@dataclass
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    gender: str
    birth_year: int
    postal_code: str
    phone: str = ""
    language: str = User.Language.NB
    email_consent: bool = True
    status: str = PAYING
    member_since: datetime.date | None = None
    lapsed_on: datetime.date | None = None
    registered_on: datetime.date | None = None
    membership_number: str | None = None
    group_count: int = 0
    has_account: bool = False  # a confirmed email address: the named accounts, contacts, people who asked to join
    extra: dict = field(default_factory=dict)


@dataclass
class MemberSpec:
    email: str
    joined_on: datetime.date
    left_on: datetime.date | None = None


@dataclass
class OfficeSpec:
    email: str
    kind: str
    started_on: datetime.date
    ended_on: datetime.date | None = None
    title: str = ""
    end_reason: str = ""


@dataclass
class GroupSpec:
    name: str
    category: str
    municipality: str | None
    region_id: int
    institution: str
    status: str
    is_open: bool
    founded_on: datetime.date
    closed_on: datetime.date | None = None
    members: list = field(default_factory=list)
    offices: list = field(default_factory=list)
    themes: str = ""
    areas: list = field(default_factory=list)  # priority area names
    registered_by: str | None = None
    registered_at: datetime.datetime | None = None
    decided_at: datetime.datetime | None = None
    statutes: tuple | None = None  # (accepted by, accepted at)
    details: dict = field(default_factory=dict)  # stopping, warning and closing fields
    join_requests: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    reports: list = field(default_factory=list)  # ReportSpec, oldest quarter first
    contacts: list = field(default_factory=list)  # ContactSpec: the region's calls, emails, meetings, visits


@dataclass
class JoinRequestSpec:
    email: str
    created_at: datetime.datetime
    message: str = ""
    status: str = JoinRequest.Status.PENDING
    answered_by: str | None = None
    answered_at: datetime.datetime | None = None
    answer: str = ""


@dataclass
class FollowUpSpec:
    kind: str
    created_at: datetime.datetime
    due_on: datetime.date
    done_at: datetime.datetime | None = None
    done_by: str | None = None


@dataclass
class ActivitySpec:
    kind: str
    date: datetime.date | None
    type: str
    outward: bool
    area: str | None  # a priority area's name
    campaign: str = ""
    participants: int | None = None
    signatures: int | None = None
    people_reached: int | None = None
    description: str = ""


@dataclass
class ReportSpec:
    quarter: Quarter
    members_count: int
    created_at: datetime.datetime
    submitted_at: datetime.datetime
    submitted_by: str
    is_late: bool
    activities: list
    support_needed: str = ""
    comments: str = ""
    reviewed_at: datetime.datetime | None = None
    reviewed_by: str | None = None
    feedback: str = ""
    needs_follow_up: bool = False

    @property
    def status(self) -> str:
        return QuarterlyReport.Status.REVIEWED if self.reviewed_at else QuarterlyReport.Status.SUBMITTED


@dataclass
class ContactSpec:
    date: datetime.date
    channel: str
    note: str
    by: str


def counts() -> dict:
    return {
        "regions": Region.objects.count(),
        "regional_roles": RegionRole.objects.count(),
        "groups": Group.objects.count(),
        "people": User.objects.count(),
        "accounts": EmailAddress.objects.filter(verified=True).count(),
        "group_memberships": GroupMembership.objects.count(),
        "offices": Office.objects.count(),
        "membership_events": MembershipEvent.objects.count(),
        "statutes_acceptances": StatutesAcceptance.objects.count(),
        "join_requests": JoinRequest.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "criterion_statuses": CriterionStatus.objects.count(),
        "quarterly_reports": QuarterlyReport.objects.count(),
        "report_activities": ReportActivity.objects.count(),
        "report_versions": ReportVersion.objects.count(),
        "contacts": Contact.objects.count(),
        **_individual_counts(),
    }


def load(*, today: datetime.date | None = None) -> dict:
    """Load the demo data unless it is there already. Returns the counts and whether it loaded."""
    if not settings.DEBUG:
        raise DemoDataRefused(
            "Refusing to load demo data with DEBUG off: its accounts share the public password "
            f"{settings.DEMO_PASSWORD!r}. Run it only on a development machine (DEBUG=true)."
        )
    if User.objects.filter(email=MARKER_EMAIL).exists():
        return {"loaded": False, **counts()}
    with transaction.atomic():
        plan = _Planner(random.Random(SEED), today or timezone.localdate())
        plan.build()
        _write(plan)
        _write_urgent_action_draft()
        _write_erasure_request()
        refresh_standings(today=plan.today)
        summaries.refresh(today=plan.today)
    return {"loaded": True, **counts()}


# --- Planning: everything decided in memory, from the seed alone --------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment on a day, in the portal's time zone."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _between(rng: random.Random, low: datetime.date, high: datetime.date) -> datetime.date:
    """A day from low to high, both included, drawn from the given stream."""
    if high <= low:
        return low
    return low + datetime.timedelta(days=rng.randint(0, (high - low).days))


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch == "-")


class _Geography:
    """Municipalities with their region and residential postal codes, in a fixed order."""

    def __init__(self):
        self.region_of, self.county_of, self.centrality = {}, {}, {}
        rows = Municipality.objects.order_by("number").values_list(
            "number", "county_id", "county__region_id", "centrality"
        )
        for number, county, region, centrality in rows:
            if region is not None:
                self.region_of[number], self.county_of[number], self.centrality[number] = region, county, centrality
        every, residential = {}, {}
        codes = PostalCode.objects.filter(municipality__isnull=False).order_by("code")
        for code, municipality, category in codes.values_list("code", "municipality_id", "category"):
            every.setdefault(municipality, []).append(code)
            # G: street addresses, B: both; P (post boxes) and S (service) are nobody's home.
            if category in {"G", "B"}:
                residential.setdefault(municipality, []).append(code)
        self.codes = {m: residential.get(m) or every[m] for m in self.region_of if m in every}
        self.municipalities = sorted(self.codes)
        self.municipality_of = {code: m for m, codes in self.codes.items() for code in codes}
        if not set(OFFICE_CITIES) <= set(self.codes):
            raise DemoDataRefused("Reference data is missing: run `manage.py load_reference_data` first.")
        self._near = {}

    def near(self, municipality: str) -> list[str]:
        """The same county's other municipalities; for Oslo, the central ones of its region."""
        if municipality not in self._near:
            county, region = self.county_of[municipality], self.region_of[municipality]
            near = [m for m in self.municipalities if self.county_of[m] == county and m != municipality]
            if not near:
                near = [
                    m
                    for m in self.municipalities
                    if self.region_of[m] == region and self.centrality[m] <= 2 and m != municipality
                ]
            self._near[municipality] = near or [municipality]
        return self._near[municipality]


class _Planner:
    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng, self.today = rng, today
        self.geo = _Geography()
        self.regions = list(Region.objects.order_by("name").values_list("pk", "slug", "office_municipality_id"))
        self.people: dict[str, PersonSpec] = {}
        self.groups: list[GroupSpec] = []
        self.named: list[str] = []
        self.region_roles: list[tuple[int, str, str]] = []
        self._serial = 0
        self.areas = list(
            PriorityArea.objects.filter(is_current=True).order_by("order", "name").values_list("name", flat=True)
        )
        statutes = StatutesVersion.objects.current(on=today)
        self.statutes_published = statutes.published_on if statutes else None

    # Dates and small draws

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def between(self, low: datetime.date, high: datetime.date) -> datetime.date:
        if high <= low:
            return low
        return low + datetime.timedelta(days=self.rng.randint(0, (high - low).days))

    def years_ago(self, low: int, high: int) -> datetime.date:
        return self.days_ago(low * 365, high * 365)

    def age(self, category: str | None) -> int:
        rng = self.rng
        if category == YOUTH:
            return rng.randint(13, 19)
        if category == STUDENT:
            return rng.randint(19, 29) if rng.random() < 0.9 else rng.randint(30, 45)
        if category == PARENT:
            return rng.randint(27, 42)
        (low, high), *_ = rng.choices([band for band, _ in AGE_BANDS], weights=[w for _, w in AGE_BANDS])
        if category == THEMATIC:
            low = max(low, 18)
        return rng.randint(low, max(low, high))

    def earliest_membership(self, birth_year: int) -> datetime.date:
        return max(datetime.date(birth_year + 13, 1, 1), self.today - datetime.timedelta(days=25 * 365))

    def member_since(self, birth_year: int) -> datetime.date:
        earliest = self.earliest_membership(birth_year)
        if self.rng.random() < 0.1:  # new members, for the welcome flow
            earliest = max(earliest, self.today - datetime.timedelta(days=90))
        return self.between(earliest, self.today - datetime.timedelta(days=8))

    # People

    def new_person(self, municipality: str, category: str | None = None) -> PersonSpec:
        rng = self.rng
        self._serial += 1
        if category == PARENT:
            gender = G.WOMAN if rng.random() < 0.8 else G.MAN
        else:
            gender = rng.choices([g for g, _ in GENDER_WEIGHTS], weights=[w for _, w in GENDER_WEIGHTS])[0]
        names = {G.WOMAN: WOMEN, G.MAN: MEN}.get(gender) or rng.choice([WOMEN, MEN])
        first, last = rng.choice(names), rng.choice(SURNAMES)
        birth_year = self.today.year - self.age(category)
        english = rng.random() < (0.2 if category == STUDENT else 0.05)
        phone = ""
        if rng.random() < 0.92:
            phone = _mobile(rng)
        person = PersonSpec(
            email=f"{_ascii(first)}.{_ascii(last)}.{self._serial}@example.net",
            first_name=first,
            last_name=last,
            gender=gender,
            birth_year=birth_year,
            postal_code=rng.choice(self.geo.codes[municipality]),
            phone=phone,
            language=User.Language.EN if english else User.Language.NB,
            email_consent=rng.random() < 0.85,
            member_since=self.member_since(birth_year),
        )
        self.people[person.email] = person
        return person

    def named_people(self):
        rng = self.rng
        for email, first, last, gender, birth_year, code, extra in NAMED_ACCOUNTS:
            person = PersonSpec(
                email=email,
                first_name=first,
                last_name=last,
                gender=gender,
                birth_year=birth_year,
                postal_code=code,
                phone=_mobile(rng),
                member_since=self.years_ago(2, 12),
                extra=extra,
            )
            if email == "ny@example.org":
                person.member_since = self.days_ago(2, 5)
            self.people[email] = person
            self.named.append(email)
        for pk, slug, _office in self.regions:
            self.region_roles.append((pk, f"region.{slug}@example.org", RegionRole.Kind.LEADER))
            self.region_roles.append((pk, f"opplaering.{slug}@example.org", RegionRole.Kind.TRAINING_COORDINATOR))

    def background_municipality(self) -> str:
        """Where people outside groups live: mostly far from any group, as seed 000 describes."""
        draw = self.rng.random()
        if draw < 0.2:
            return self.rng.choice(OFFICE_CITIES)
        with_group = {g.municipality for g in self.groups}
        if draw < 0.3:
            return self.rng.choice(sorted(with_group - {None} - set(OFFICE_CITIES)))
        # Uniform over municipalities: most of Norway's are small and rural.
        return self.rng.choice([m for m in self.geo.municipalities if m not in with_group])

    # Groups

    def group(self, name, category, municipality, institution) -> GroupSpec:
        rng = self.rng
        oslo = next(pk for pk, _slug, office in self.regions if office == "0301")
        founded = {
            YOUTH: (1, 8),
            STUDENT: (2, 20),
            LOCAL: (3, 40),
            THEMATIC: (2, 25),
            PARENT: (1, 4),
        }[category]
        spec = GroupSpec(
            name=name,
            category=category,
            municipality=municipality,
            region_id=self.geo.region_of[municipality] if municipality else oslo,
            institution=institution,
            status=Group.Status.RECOGNISED,
            is_open=name not in CLOSED_TO_NEWCOMERS,
            founded_on=self.years_ago(*founded),
        )
        if name in PENDING_GROUPS:
            spec.status, spec.founded_on = Group.Status.PENDING, self.days_ago(10, 60)
        elif name in CLOSED_GROUPS:
            spec.status, spec.closed_on = Group.Status.CLOSED, self.days_ago(180, 300)
            spec.founded_on = self.years_ago(6, 20)

        if name == NAMED_GROUP:
            size = 12
        elif municipality is None:
            size = rng.randint(10, 15)
        elif self.geo.centrality[municipality] >= 5:
            size = rng.randint(3, 7)
        else:
            size = rng.choices(GROUP_SIZES, weights=GROUP_SIZE_WEIGHTS)[0]
        self.add_members(spec, size)
        self.add_offices(spec)
        return spec

    def add_members(self, spec: GroupSpec, size: int):
        rng = self.rng
        chosen: list[PersonSpec] = []
        if spec.name == NAMED_GROUP:
            chosen = [self.people["kontakt.bergen@example.org"]]
            size -= 1
        reuse = 0.0 if spec.category == YOUTH else (0.4 if spec.municipality is None else 0.25)
        while len(chosen) < size:
            person = None
            if rng.random() < reuse:
                candidates = [
                    p
                    for p in self.people.values()
                    if p.group_count
                    and p not in chosen
                    and p.email not in self.named
                    and self.today.year - p.birth_year >= 18
                    and (spec.municipality is None or self.municipality_of(p) == spec.municipality)
                ]
                person = rng.choice(candidates) if candidates else None
            if person is None:
                if spec.municipality is None:
                    home = rng.choice(self.geo.municipalities)
                elif rng.random() < 0.7:
                    home = spec.municipality
                else:
                    home = rng.choice(self.geo.near(spec.municipality))
                person = self.new_person(home, spec.category)
            chosen.append(person)
        if spec.name == NAMED_GROUP:
            # Last in the list: the one member who is sure to hold no office.
            chosen.append(self.people["medlem@example.org"])
        latest = spec.closed_on - datetime.timedelta(days=30) if spec.closed_on else self.today
        for person in chosen:
            person.group_count += 1
            if person.member_since > latest:
                person.member_since = max(self.earliest_membership(person.birth_year), self.days_ago(400, 900))
            joined = self.between(max(spec.founded_on, person.member_since), latest)
            spec.members.append(MemberSpec(person.email, joined, spec.closed_on))

    def municipality_of(self, person: PersonSpec) -> str | None:
        return self.geo.municipality_of.get(person.postal_code)

    def add_offices(self, spec: GroupSpec):
        rng, members = self.rng, spec.members
        if spec.status == Group.Status.PENDING:
            elected = spec.founded_on
        elif spec.closed_on:
            elected = max(spec.founded_on, spec.closed_on - datetime.timedelta(days=rng.randint(60, 330)))
        elif spec.name == LAPSED_CONTACT_GROUP:
            elected = self.today - datetime.timedelta(days=300)
        else:
            elected = max(spec.founded_on, self.days_ago(20, 330))

        if spec.name == NAMED_GROUP:
            separate_leader = False
        else:
            separate_leader = spec.name in {LAPSED_CONTACT_GROUP, NO_CONTACT_GROUP} or rng.random() < 0.6
        plan = [(0, Office.Kind.CONTACT, "")]
        plan.append((1 if separate_leader else 0, Office.Kind.LEADER, ""))
        slot = 2 if separate_leader else 1
        for kind, chance, title in [
            (Office.Kind.DEPUTY, 0.5, ""),
            (Office.Kind.TREASURER, 0.35, ""),
            (Office.Kind.SOCIAL_MEDIA, 0.35, ""),
            (Office.Kind.OTHER, 0.1, "Arrangementsansvarlig"),
        ]:
            # Keep at least one ordinary member, and never more offices than people.
            if rng.random() < chance and slot < len(members) - 1:
                plan.append((slot, kind, title))
                slot += 1
        for index, kind, title in plan:
            member = members[index]
            member.joined_on = min(member.joined_on, elected)
            person = self.people[member.email]
            person.member_since = min(person.member_since, member.joined_on)
            ended = Office.EndReason.GROUP_CLOSED if spec.closed_on else ""
            spec.offices.append(OfficeSpec(member.email, kind, elected, spec.closed_on, title, ended))

        if spec.name == NO_CONTACT_GROUP:
            stepped_down = self.today - datetime.timedelta(days=95)
            # Still a member, but nobody took over.
            spec.offices[0].ended_on, spec.offices[0].end_reason = stepped_down, Office.EndReason.STEPPED_DOWN
        # History: at the last election some groups changed leader (the former one stays a member).
        previous = elected - datetime.timedelta(days=365)
        history = spec.status == Group.Status.RECOGNISED and spec.name != NAMED_GROUP
        if history and previous > spec.founded_on and rng.random() < 0.2:
            former = members[-1]
            former.joined_on = min(former.joined_on, previous)
            person = self.people[former.email]
            person.member_since = min(person.member_since, former.joined_on)
            spec.offices.append(
                OfficeSpec(former.email, Office.Kind.LEADER, previous, elected, end_reason=Office.EndReason.REPLACED)
            )

    # Membership statuses

    def assign_statuses(self):
        rng = self.rng
        office_holders = {o.email for g in self.groups for o in g.offices}
        group_people = {m.email for g in self.groups for m in g.members}

        contact = next(g for g in self.groups if g.name == LAPSED_CONTACT_GROUP).offices[0].email
        self.lapse(self.people[contact], self.today - datetime.timedelta(days=70))

        # A few recognised groups have a member who is not (or no longer) a member of AiN.
        eligible = [
            g
            for g in self.groups
            if g.status == Group.Status.RECOGNISED
            and g.name not in {NAMED_GROUP, LAPSED_CONTACT_GROUP, NO_CONTACT_GROUP}
            and len(g.members) >= 5
        ]
        for number, spec in enumerate(rng.sample(eligible, 6)):
            ordinary = [
                m
                for m in spec.members
                if m.email not in office_holders
                and self.people[m.email].group_count == 1
                and m.joined_on < self.today - datetime.timedelta(days=30)
            ]
            if not ordinary:
                continue
            member = rng.choice(ordinary)
            person = self.people[member.email]
            if number < 3:
                self.make_non_member(person, member.joined_on)
            else:
                start = max(member.joined_on, self.today - datetime.timedelta(days=540))
                self.lapse(person, self.between(start + datetime.timedelta(days=1), self.today))

        total = len(self.people)
        background = [p for p in self.people.values() if p.email not in group_people and p.email not in self.named]
        lapsed = sum(p.status == LAPSED for p in self.people.values())
        non_members = sum(p.status == NON_MEMBER for p in self.people.values())
        adults = [p for p in background if self.today.year - p.birth_year >= 18]
        to_lapse = rng.sample(adults, max(0, round(total * LAPSED_SHARE) - lapsed))
        for person in to_lapse:
            lapsed_on = self.days_ago(1, 540)
            earliest = self.earliest_membership(person.birth_year)
            person.member_since = self.between(earliest, lapsed_on - datetime.timedelta(days=60))
            self.lapse(person, lapsed_on)
        rest = [p for p in background if p.status == PAYING]
        for person in rng.sample(rest, max(0, round(total * NON_MEMBER_SHARE) - non_members)):
            start = max(datetime.date(person.birth_year + 13, 1, 1), self.today - datetime.timedelta(days=3 * 365))
            self.make_non_member(person, self.between(start, self.today - datetime.timedelta(days=1)))

        serial = 100_000
        for person in self.people.values():
            if person.status != NON_MEMBER:
                serial += 1
                person.membership_number = f"M{serial}"
            person.registered_on = person.registered_on or person.member_since

    def lapse(self, person: PersonSpec, on: datetime.date):
        person.status, person.lapsed_on = LAPSED, on
        person.member_since = min(person.member_since, on - datetime.timedelta(days=30))

    def make_non_member(self, person: PersonSpec, registered_on: datetime.date):
        person.status, person.member_since, person.registered_on = NON_MEMBER, None, registered_on

    # What recognition rests on (seed 001). Planned last, with a random stream of its own, so that
    # the draws above (people, groups, memberships) are the same as without it.

    def recognition(self, rng: random.Random):
        by_name = {spec.name: spec for spec in self.groups}
        for name, days in RECENT_LAPSES.items():
            spec = by_name[name]
            holders = {office.email for office in spec.offices}
            lapse_on = self.today - datetime.timedelta(days=days)
            ordinary = [
                m
                for m in spec.members
                if m.email not in holders
                and self.people[m.email].group_count == 1
                and self.people[m.email].status == PAYING
                and m.joined_on < lapse_on
            ]
            if ordinary:
                self.lapse(self.people[rng.choice(ordinary).email], lapse_on)
        self.end_lapsed_offices()
        for name, (registered, decided) in NEW_GROUPS.items():
            self.make_new(by_name[name], registered, decided, rng)
        for spec in self.groups:
            self.plan_areas(spec, rng)
            if spec.status == Group.Status.PENDING:
                # The youth group was registered by a member who named someone else as contact.
                contact = spec.offices[0].email
                spec.registered_by = spec.members[1].email if spec.category == YOUTH else contact
                spec.registered_at = _at(spec.founded_on, 19, 40)
            self.plan_statutes(spec, rng)
        self.plan_join_requests(by_name, rng)
        self.plan_follow_up(by_name)
        for spec in self.groups:
            emails = [o.email for o in spec.offices if o.kind == Office.Kind.CONTACT]
            emails += [spec.registered_by] if spec.registered_by else []
            emails += [request.email for request in spec.join_requests]
            for email in emails:
                self.people[email].has_account = True
        for email in self.named:
            self.people[email].has_account = True

    def end_lapsed_offices(self):
        """The portal ends every office a person holds on the day their membership lapses."""
        for spec in self.groups:
            for office in spec.offices:
                person = self.people[office.email]
                if person.status != LAPSED or (office.ended_on and office.ended_on <= person.lapsed_on):
                    continue
                office.ended_on = max(person.lapsed_on, office.started_on)
                office.end_reason = Office.EndReason.MEMBERSHIP_LAPSED

    def leader_of(self, region_id: int) -> str:
        return next(f"region.{slug}@example.org" for pk, slug, _office in self.regions if pk == region_id)

    def make_new(self, spec: GroupSpec, registered_days: int, decided_days: int, rng: random.Random):
        """A group registered in the portal lately by its contact and approved by the regional leader."""
        registered = self.today - datetime.timedelta(days=registered_days)
        decided = registered + datetime.timedelta(days=decided_days)
        spec.founded_on = registered
        spec.offices = [office for office in spec.offices if office.ended_on is None]
        holders = {office.email for office in spec.offices}
        for office in spec.offices:
            office.started_on = registered
        for member in spec.members:
            if member.email in holders:
                member.joined_on = registered
            else:
                member.joined_on = registered + datetime.timedelta(days=rng.randint(0, registered_days - 1))
            person = self.people[member.email]
            if person.member_since is not None:  # a non-member of AiN in the group has none
                person.member_since = min(person.member_since, member.joined_on)
        spec.registered_by = spec.offices[0].email
        spec.registered_at = _at(registered, 20, 15)
        spec.decided_at = _at(decided, 10, 30)
        due = decided + datetime.timedelta(days=14)
        welcome = FollowUpSpec(FollowUp.Kind.WELCOME_PACKAGE, spec.decided_at, due)
        if (self.today - decided).days > 14:
            welcome.done_at, welcome.done_by = (
                _at(decided + datetime.timedelta(days=4), 13),
                self.leader_of(spec.region_id),
            )
        spec.follow_ups += [welcome, FollowUpSpec(FollowUp.Kind.FIRST_CONTACT, spec.decided_at, due)]

    def plan_areas(self, spec: GroupSpec, rng: random.Random):
        areas, themes = [], ""
        if spec.category == THEMATIC:
            for word, area_words, text in THEMATIC_AREAS:
                if word.lower() in spec.name.lower():
                    areas = [a for a in self.areas if any(w.lower() in a.lower() for w in area_words)]
                    themes = text
                    break
        themes = themes or rng.choice(THEMES[spec.category])
        if not areas and self.areas:
            areas = rng.sample(self.areas, min(len(self.areas), rng.choice((1, 2, 2, 3))))
        spec.themes = themes
        spec.areas = [] if spec.name in NO_PRIORITY_GROUPS else sorted(areas[:3], key=self.areas.index)

    def plan_statutes(self, spec: GroupSpec, rng: random.Random):
        """The contact accepted the statutes in force; a registration accepts them when it is sent."""
        if self.statutes_published is None or spec.closed_on or spec.name in NO_STATUTES_GROUPS:
            return
        if spec.registered_by:
            spec.statutes = (spec.registered_by, spec.registered_at)
            return
        contact = spec.offices[0]
        low = max(self.statutes_published, spec.founded_on, contact.started_on)
        high = min(low + datetime.timedelta(days=120), contact.ended_on or self.today, self.today)
        day = low + datetime.timedelta(days=rng.randint(0, max(0, (high - low).days - 1)))
        spec.statutes = (contact.email, _at(day, rng.randint(9, 21), rng.choice((0, 15, 30, 45))))

    def plan_join_requests(self, by_name: dict, rng: random.Random):
        """People outside any group ask to join one; most of them live where the group is."""
        free = [
            p
            for p in self.people.values()
            if p.group_count == 0
            and p.email not in self.named
            and p.status == PAYING
            and self.today.year - p.birth_year >= 18
        ]

        def asker(spec: GroupSpec, local: bool) -> PersonSpec:
            here = [p for p in free if (self.municipality_of(p) == spec.municipality) == local]
            person = rng.choice(here or free)
            free.remove(person)
            return person

        for name, days in JOIN_REQUESTS:
            spec = by_name[name]
            person = asker(spec, local=True)
            asked = _at(self.today - datetime.timedelta(days=days), rng.randint(8, 22), rng.randint(0, 59))
            message = rng.choice(JOIN_MESSAGES[person.language])
            spec.join_requests.append(JoinRequestSpec(person.email, asked, message))
        name, days, answered = DECLINED_JOIN_REQUEST
        spec = by_name[name]
        person = asker(spec, local=False)
        asked = _at(self.today - datetime.timedelta(days=days), 21, 5)
        spec.join_requests.append(
            JoinRequestSpec(
                person.email,
                asked,
                rng.choice([m for m in JOIN_MESSAGES[person.language] if m]),
                JoinRequest.Status.DECLINED,
                answered_by=spec.offices[0].email,
                answered_at=asked + datetime.timedelta(days=answered, hours=-2),
                answer=DECLINE_ANSWER,
            )
        )

    def plan_follow_up(self, by_name: dict):
        """Groups left without a contact are on the regional leader's list; one is warned; the
        closed groups were closed for a reason."""
        for name in (LAPSED_CONTACT_GROUP, NO_CONTACT_GROUP):
            spec = by_name[name]
            ended = max(o.ended_on for o in spec.offices if o.kind == Office.Kind.CONTACT)
            spec.follow_ups.append(
                FollowUpSpec(FollowUp.Kind.NEW_CONTACT, _at(ended, 9), ended + datetime.timedelta(days=7))
            )
        sauda = by_name[NO_CONTACT_GROUP]
        sauda.details = {
            "warned_at": _at(self.today - datetime.timedelta(days=20), 11, 20),
            "warning_deadline": self.today + datetime.timedelta(days=40),
            "warning_message": WARNING,
        }
        for name, texts in CLOSINGS.items():
            spec = by_name[name]
            details = {"closing_reason": texts["closing_reason"]}
            if "stopping_reason" in texts:
                details["stopping_reported_at"] = _at(spec.closed_on - datetime.timedelta(days=21), 18, 30)
                details["stopping_reason"] = texts["stopping_reason"]
            if "warning_message" in texts:
                details["warned_at"] = _at(spec.closed_on - datetime.timedelta(days=75), 10)
                details["warning_deadline"] = spec.closed_on - datetime.timedelta(days=15)
                details["warning_message"] = texts["warning_message"]
            spec.details = details

    # Quarterly reports and the contact log (seed 001, sections 6–7): planned last, with a random
    # stream of their own, so that everything above is the same as without them.

    def reports(self, rng: random.Random):
        newest = Quarter.of(self.today).previous
        quarters = [newest]
        while len(quarters) < REPORT_QUARTERS:
            quarters.append(quarters[-1].previous)
        for spec in self.groups:
            if spec.status != Group.Status.RECOGNISED:
                continue
            since = spec.decided_at.date() if spec.decided_at else spec.founded_on
            for quarter in reversed(quarters):
                report = self.report(spec, quarter, newest, rng) if quarter.end >= since else None
                if report:
                    spec.reports.append(report)
            spec.contacts = self.contact_log(spec, rng)

    def report(self, spec: GroupSpec, quarter: Quarter, newest: Quarter, rng: random.Random) -> ReportSpec | None:
        missing, late = rng.random() < MISSING_SHARE, rng.random() < LATE_SHARE
        follow_up = rng.random() < FOLLOW_UP_SHARE
        if spec.name == NAMED_GROUP:
            # The demo contact has the most recently ended quarter's report to file.
            missing, late, follow_up = quarter == newest, False, False
        if missing:
            return None
        day = quarter.deadline + datetime.timedelta(days=1)
        if late and day <= self.today:
            day = _between(rng, day, min(quarter.deadline + datetime.timedelta(days=45), self.today))
        else:
            late = False
            day = _between(rng, quarter.end + datetime.timedelta(days=1), min(quarter.deadline, self.today))
        contact = self.contact_on(spec, day)
        if contact is None:  # nobody in office to file it
            return None
        submitted = _at(day, rng.randint(8, 22), rng.randint(0, 59))
        members = sum(
            1 for m in spec.members if m.joined_on <= quarter.end and (m.left_on is None or m.left_on > quarter.end)
        )
        members = max(members, min(3, len(spec.members)))  # the join dates before the plan's are not kept
        done = 1 if follow_up else rng.choices((1, 2, 3, 4, 5), (10, 25, 30, 22, 13))[0]
        activities = [self.activity(spec, quarter, ReportActivity.Kind.DONE, members, rng) for _ in range(done)]
        activities.sort(key=lambda a: a.date)
        activities += [
            self.activity(spec, quarter.next, ReportActivity.Kind.PLANNED, members, rng)
            for _ in range(rng.randint(1, 2))
        ]
        area = self.area_words(rng.choice(spec.areas) if spec.areas else None)
        report = ReportSpec(
            quarter=quarter,
            members_count=members,
            created_at=submitted - datetime.timedelta(days=rng.randint(0, 12), hours=rng.randint(1, 6)),
            submitted_at=submitted,
            submitted_by=contact,
            is_late=late,
            activities=activities,
            support_needed=rng.choice(SUPPORT_NEEDED).format(area=area) if rng.random() < 0.2 else "",
            comments=rng.choice(COMMENTS) if rng.random() < 0.25 else "",
        )
        reviewed = spec.name == NAMED_GROUP or rng.random() < (NEWEST_REVIEWED_SHARE if quarter == newest else 0.95)
        review_day = day + datetime.timedelta(days=rng.randint(2, 21))
        if reviewed and review_day <= self.today:
            report.reviewed_at = _at(review_day, rng.randint(9, 16), rng.randint(0, 59))
            report.reviewed_by = self.leader_of(spec.region_id)
            report.needs_follow_up = follow_up
            if follow_up:
                report.feedback = FOLLOW_UP_FEEDBACK
            elif late:
                report.feedback = LATE_FEEDBACK
            else:
                report.feedback = rng.choice(FEEDBACK).format(area=area)
        return report

    def contact_on(self, spec: GroupSpec, day: datetime.date) -> str | None:
        """The contact person in office on a day; the current one if the office changed hands
        before the plan's history starts; nobody if the group has been without a contact since."""
        contacts = [o for o in spec.offices if o.kind == Office.Kind.CONTACT]
        for office in contacts:
            if office.started_on <= day and (office.ended_on is None or office.ended_on > day):
                return office.email
        current = [o for o in contacts if o.ended_on is None]
        return current[0].email if current else None

    @staticmethod
    def area_words(area: str | None) -> str:
        return area[0].lower() + area[1:] if area else "menneskerettigheter"

    def activity(self, spec: GroupSpec, quarter: Quarter, kind: str, members: int, rng: random.Random):
        key = None if spec.municipality is None else spec.category
        weights = ACTIVITY_WEIGHTS[key]
        type_ = rng.choices(list(weights), list(weights.values()))[0]
        inward = type_ in INWARD_TYPES
        area = rng.choice(spec.areas) if spec.areas and (not inward or rng.random() < 0.3) else None
        if area and rng.random() < 0.1:
            area = None  # not every activity names its priority area
        words, place = self.area_words(area), rng.choice(PLACES[key])
        texts = DESCRIPTIONS[type_] if kind == ReportActivity.Kind.DONE else (PLANNED[type_],)
        text, campaign = rng.choice(texts), ""
        day = _between(rng, quarter.start, quarter.end)
        pride = "skeiv" in spec.name.lower() or (area or "").startswith("Skeiv")
        if quarter.number == 4 and type_ in WRITE_FOR_RIGHTS_TYPES and rng.random() < 0.6:
            campaign, text = WRITE_FOR_RIGHTS, WRITE_FOR_RIGHTS_TEXT[type_]
            day = _between(rng, datetime.date(quarter.year, 12, 1), datetime.date(quarter.year, 12, 14))
        elif quarter.number in (2, 3) and pride and type_ in PRIDE_TYPES and rng.random() < 0.7:
            campaign, text = "Pride", PRIDE_TEXT[type_]
            june = quarter.number == 2
            low = datetime.date(quarter.year, 6, 10) if june else datetime.date(quarter.year, 8, 1)
            day = _between(rng, low, datetime.date(quarter.year, 6, 30) if june else datetime.date(quarter.year, 9, 15))
        activity = ActivitySpec(
            kind=kind,
            date=day,
            type=type_,
            outward=not inward,
            area=area,
            campaign=campaign,
            description=text.format(area=words, place=place),
        )
        if kind == ReportActivity.Kind.PLANNED:
            if rng.random() < 0.3:
                activity.date = None  # not fixed yet
            return activity
        activity.participants = rng.randint(2, max(2, min(12, members)))
        big = campaign == WRITE_FOR_RIGHTS
        if type_ == AT.SIGNATURES or (type_ == AT.STAND and rng.random() < 0.6):
            activity.signatures = rng.randint(150, 900) if big else rng.randint(40, 500)
        elif type_ == AT.LETTERS_TO_AUTHORITIES and rng.random() < 0.7:
            activity.signatures = rng.randint(100, 1200) if big else rng.randint(15, 200)
        elif type_ == AT.ONLINE_ACTIONS and rng.random() < 0.3:
            activity.signatures = rng.randint(50, 600)
        reach = {
            AT.STAND: (0.7, 50, 600),
            AT.OPEN_EVENT: (0.9, 15, 150),
            AT.ONLINE_ACTIONS: (0.6, 200, 5000),
            AT.LETTER_TO_EDITOR: (0.4, 500, 8000),
            AT.RECRUITING: (0.5, 20, 300),
            AT.LOBBYING: (0.5, 2, 15),
        }.get(type_)
        if reach and rng.random() < reach[0]:
            activity.people_reached = rng.randint(reach[1], reach[2])
        return activity

    def contact_log(self, spec: GroupSpec, rng: random.Random) -> list:
        """The region's calls, emails, meetings and visits over the year (the report feedback comes
        with the reports). Groups approved lately are still waiting for their first contact."""
        if spec.decided_at:
            return []
        start = max(spec.founded_on, self.today - datetime.timedelta(days=365))
        leader = self.leader_of(spec.region_id)
        coordinator = leader.replace("region.", "opplaering.", 1)
        channels = dict(CONTACT_CHANNEL_WEIGHTS)
        visited = spec.municipality is not None and rng.random() < VISITED_SHARE
        if not visited:
            del channels[Contact.Channel.VISIT]
        planned = [Contact.Channel.VISIT] if visited else []
        planned += rng.choices(list(channels), list(channels.values()), k=rng.choice((0, 1, 1, 2, 2, 3)))
        contacts, seen = [], set()
        for channel in planned:
            day = _between(rng, start, self.today - datetime.timedelta(days=1))
            by = coordinator if channel == Contact.Channel.MEETING and rng.random() < 0.4 else leader
            if (day, channel) not in seen:  # the written key
                seen.add((day, channel))
                contacts.append(ContactSpec(day, channel, rng.choice(CONTACT_NOTES[channel]), by))
        return sorted(contacts, key=lambda c: c.date)

    def build(self):
        self.named_people()
        for row in GROUPS:
            self.groups.append(self.group(*row))
        while len(self.people) < TARGET_PEOPLE:
            self.new_person(self.background_municipality())
        self.assign_statuses()
        self.recognition(random.Random(self.rng.getrandbits(64)))
        self.reports(random.Random(self.rng.getrandbits(64)))


# --- Writing: by deterministic keys, so nothing is ever created twice ---------------------------


def _events(person: PersonSpec):
    if person.status == NON_MEMBER:
        return [(NON_MEMBER, person.registered_on, MembershipEvent.Source.SIGNUP)]
    events = [(PAYING, person.member_since, MembershipEvent.Source.IMPORT)]
    if person.status == LAPSED:
        events.append((LAPSED, person.lapsed_on, MembershipEvent.Source.IMPORT))
    return events


def _user(person: PersonSpec, password: str) -> User:
    registered = datetime.datetime.combine(person.registered_on, datetime.time(12), tzinfo=datetime.UTC)
    return User(
        email=person.email,
        password=password,
        first_name=person.first_name,
        last_name=person.last_name,
        phone=person.phone,
        birth_year=person.birth_year,
        gender=person.gender,
        postal_code_id=person.postal_code,
        language=person.language,
        membership_number=person.membership_number,
        membership_status=person.status,
        member_since=person.member_since,
        lapsed_on=person.lapsed_on,
        email_consent=person.email_consent,
        date_joined=registered,
        **person.extra,
    )


def _write(plan: _Planner):
    demo_hash = make_password(settings.DEMO_PASSWORD)
    existing = set(User.objects.filter(email__in=list(plan.people)).values_list("email", flat=True))
    named = [plan.people[email] for email in plan.named]
    others = [p for p in plan.people.values() if p.email not in plan.named]
    # Register entries, not accounts: an unusable password and no email address to log in with.
    User.objects.bulk_create([_user(p, make_password(None)) for p in others if p.email not in existing], batch_size=500)
    for person in named:
        if person.email not in existing:
            _user(person, demo_hash).save()
    people = dict(User.objects.filter(email__in=list(plan.people)).values_list("email", "pk"))
    confirmed = set(EmailAddress.objects.filter(email__in=list(people)).values_list("email", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=people[p.email], email=p.email, verified=True, primary=True)
            for p in plan.people.values()
            if p.has_account and p.email not in confirmed
        ],
        batch_size=500,
    )

    for region_id, email, kind in plan.region_roles:
        RegionRole.objects.get_or_create(region_id=region_id, person_id=people[email], kind=kind)

    names = [g.name for g in plan.groups]
    existing_groups = set(Group.objects.filter(name__in=names).values_list("name", flat=True))
    Group.objects.bulk_create(
        [
            Group(
                name=g.name,
                category=g.category,
                status=g.status,
                municipality_id=g.municipality,
                region_id=g.region_id,
                institution=g.institution,
                is_open=g.is_open,
                founded_on=g.founded_on,
                themes=g.themes,
                registered_by_id=people[g.registered_by] if g.registered_by else None,
                registered_at=g.registered_at,
                decided_at=g.decided_at,
                closed_on=g.closed_on,
                **g.details,
            )
            for g in plan.groups
            if g.name not in existing_groups
        ]
    )
    groups = dict(Group.objects.filter(name__in=names).order_by("-pk").values_list("name", "pk"))

    memberships = set(GroupMembership.objects.filter(group_id__in=groups.values()).values_list("group_id", "person_id"))
    offices = set(Office.objects.filter(group_id__in=groups.values()).values_list("group_id", "person_id", "kind"))
    new_memberships, new_offices = [], []
    for g in plan.groups:
        group_id = groups[g.name]
        for m in g.members:
            if (group_id, people[m.email]) not in memberships:
                new_memberships.append(
                    GroupMembership(
                        group_id=group_id, person_id=people[m.email], joined_on=m.joined_on, left_on=m.left_on
                    )
                )
        for o in g.offices:
            # The plan never gives one person the same office twice in a group.
            if (group_id, people[o.email], o.kind) not in offices:
                new_offices.append(
                    Office(
                        group_id=group_id,
                        person_id=people[o.email],
                        kind=o.kind,
                        title=o.title,
                        started_on=o.started_on,
                        ended_on=o.ended_on,
                        end_reason=o.end_reason,
                    )
                )
    GroupMembership.objects.bulk_create(new_memberships, batch_size=500)
    Office.objects.bulk_create(new_offices, batch_size=500)

    recorded = set(MembershipEvent.objects.filter(person_id__in=people.values()).values_list("person_id", "status"))
    MembershipEvent.objects.bulk_create(
        [
            MembershipEvent(person_id=people[p.email], status=status, effective_on=on, source=source)
            for p in plan.people.values()
            for status, on, source in _events(p)
            if (people[p.email], status) not in recorded
        ],
        batch_size=500,
    )
    _write_recognition(plan, people, groups)
    _write_reports(plan, people, groups)
    _write_history(groups)
    _write_individual_activists(plan)


def _write_recognition(plan: _Planner, people: dict, groups: dict):
    """Priority areas, statutes acceptances, join requests and follow-up items, by their keys."""
    group_ids = list(groups.values())
    areas = dict(PriorityArea.objects.values_list("name", "pk"))
    through = Group.priority_areas.through
    declared = set(through.objects.filter(group_id__in=group_ids).values_list("group_id", "priorityarea_id"))
    through.objects.bulk_create(
        [
            through(group_id=groups[g.name], priorityarea_id=areas[name])
            for g in plan.groups
            for name in g.areas
            if (groups[g.name], areas[name]) not in declared
        ]
    )

    version = StatutesVersion.objects.current(on=plan.today)
    if version is not None:
        accepted = set(StatutesAcceptance.objects.filter(version=version).values_list("group_id", flat=True))
        StatutesAcceptance.objects.bulk_create(
            [
                StatutesAcceptance(
                    group_id=groups[g.name],
                    version=version,
                    accepted_by_id=people[g.statutes[0]],
                    accepted_at=g.statutes[1],
                )
                for g in plan.groups
                if g.statutes and groups[g.name] not in accepted
            ]
        )

    asked = set(JoinRequest.objects.filter(group_id__in=group_ids).values_list("group_id", "person_id"))
    JoinRequest.objects.bulk_create(
        [
            JoinRequest(
                group_id=groups[g.name],
                person_id=people[r.email],
                message=r.message,
                status=r.status,
                created_at=r.created_at,
                answered_by_id=people[r.answered_by] if r.answered_by else None,
                answered_at=r.answered_at,
                answer=r.answer,
            )
            for g in plan.groups
            for r in g.join_requests
            if (groups[g.name], people[r.email]) not in asked
        ]
    )

    listed = set(FollowUp.objects.filter(group_id__in=group_ids).values_list("group_id", "kind"))
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                region_id=g.region_id,
                group_id=groups[g.name],
                kind=f.kind,
                created_at=f.created_at,
                due_on=f.due_on,
                done_at=f.done_at,
                done_by_id=people[f.done_by] if f.done_by else None,
            )
            for g in plan.groups
            for f in g.follow_ups
            if (groups[g.name], f.kind) not in listed
        ]
    )


def _write_reports(plan: _Planner, people: dict, groups: dict):
    """Quarterly reports, each with its activities and its first version, and the contact log, by
    their keys: a report by group and quarter, its activities and version with it, a feedback
    contact by its report, any other contact by group, day and channel."""
    group_ids = list(groups.values())
    areas = {area.name: area for area in PriorityArea.objects.all()}
    planned = [(groups[g.name], r) for g in plan.groups for r in g.reports]
    filed = set(QuarterlyReport.objects.filter(group_id__in=group_ids).values_list("group_id", "year", "quarter"))
    QuarterlyReport.objects.bulk_create(
        [
            QuarterlyReport(
                group_id=group_id,
                year=r.quarter.year,
                quarter=r.quarter.number,
                status=r.status,
                members_count=r.members_count,
                support_needed=r.support_needed,
                comments=r.comments,
                created_at=r.created_at,
                updated_at=r.submitted_at,
                updated_by_id=people[r.submitted_by],
                submitted_at=r.submitted_at,
                submitted_by_id=people[r.submitted_by],
                is_late=r.is_late,
                reviewed_at=r.reviewed_at,
                reviewed_by_id=people[r.reviewed_by] if r.reviewed_by else None,
                feedback=r.feedback,
                needs_follow_up=r.needs_follow_up,
                revision=1,
            )
            for group_id, r in planned
            if (group_id, r.quarter.year, r.quarter.number) not in filed
        ],
        batch_size=500,
    )
    rows = QuarterlyReport.objects.filter(group_id__in=group_ids).values_list("group_id", "year", "quarter", "pk")
    report_ids = {(group_id, year, quarter): pk for group_id, year, quarter, pk in rows}
    with_activities = set(
        ReportActivity.objects.filter(report__group_id__in=group_ids).values_list("report_id", flat=True).distinct()
    )
    versioned = set(ReportVersion.objects.filter(report__group_id__in=group_ids).values_list("report_id", flat=True))
    with_feedback = set(
        Contact.objects.filter(group_id__in=group_ids, report__isnull=False).values_list("report_id", flat=True)
    )
    activities, versions, contacts = [], [], []
    for group_id, r in planned:
        report_id = report_ids[group_id, r.quarter.year, r.quarter.number]
        rows = [
            ReportActivity(
                report_id=report_id,
                kind=a.kind,
                date=a.date,
                type=a.type,
                outward=a.outward,
                priority_area=areas[a.area] if a.area else None,
                campaign=a.campaign,
                participants=a.participants,
                signatures=a.signatures,
                people_reached=a.people_reached,
                description=a.description,
            )
            for a in r.activities
        ]
        if report_id not in with_activities:
            activities += rows
        if report_id not in versioned:
            versions.append(
                ReportVersion(
                    report_id=report_id,
                    number=1,
                    submitted_at=r.submitted_at,
                    submitted_by_id=people[r.submitted_by],
                    data=_snapshot(r, rows),
                )
            )
        if r.reviewed_at and report_id not in with_feedback:
            contacts.append(
                Contact(
                    group_id=group_id,
                    date=timezone.localdate(r.reviewed_at),
                    channel=Contact.Channel.REPORT_FEEDBACK,
                    note=r.feedback,
                    by_id=people[r.reviewed_by],
                    report_id=report_id,
                    created_at=r.reviewed_at,
                )
            )
    logged = set(
        Contact.objects.filter(group_id__in=group_ids, report__isnull=True).values_list("group_id", "date", "channel")
    )
    for g in plan.groups:
        for c in g.contacts:
            if (groups[g.name], c.date, c.channel) not in logged:
                contacts.append(
                    Contact(
                        group_id=groups[g.name],
                        date=c.date,
                        channel=c.channel,
                        note=c.note,
                        by_id=people[c.by],
                        created_at=_at(c.date, 15, 30),
                    )
                )
    ReportActivity.objects.bulk_create(activities, batch_size=500)
    ReportVersion.objects.bulk_create(versions, batch_size=500)
    Contact.objects.bulk_create(contacts, batch_size=500)


def _snapshot(report: ReportSpec, activities: list) -> dict:
    """A submitted report's content as its version keeps it, in the form groups.reports.content() gives."""
    return {
        **{name: getattr(report, name) for name in CONTENT_FIELDS},
        "activities": [activity_data(activity) for activity in activities],
    }


def _write_history(groups: dict):
    """The audit trail the portal would have written for what the demo data says happened, with
    its dates, so that each group page shows a history. Written once: skipped if there is one."""
    content_type = ContentType.objects.get_for_model(Group)
    ids = [str(pk) for pk in groups.values()]
    if AuditEvent.objects.filter(target_type=content_type, target_id__in=ids).exists():
        return
    leader_of = dict(
        RegionRole.objects.filter(kind=RegionRole.Kind.LEADER).order_by("pk").values_list("region_id", "person_id")
    )
    admin = User.objects.get(email=MARKER_EMAIL)
    events = []

    def event(group, action, at, actor_id=None, reason="", **data):
        events.append(
            AuditEvent(
                actor_id=actor_id,
                action=action,
                at=at,
                target_type=content_type,
                target_id=str(group.pk),
                target_repr=str(group)[:300],
                reason=reason,
                data=data,
            )
        )

    def noon(day):
        return _at(day, 12)

    demo_groups = {group.pk: group for group in Group.objects.filter(pk__in=groups.values())}
    for group in demo_groups.values():
        leader = leader_of.get(group.region_id)
        if group.registered_at:
            event(group, "group.registered", group.registered_at, group.registered_by_id)
        if group.decided_at and group.status != Group.Status.PENDING:
            event(group, "group.approved", group.decided_at, leader)
        if group.stopping_reported_at:
            event(group, "group.stopping_reported", group.stopping_reported_at, reason=group.stopping_reason)
        if group.warned_at:
            deadline = group.warning_deadline.isoformat() if group.warning_deadline else ""
            event(group, "group.warned", group.warned_at, admin.pk, group.warning_message, deadline=deadline)
        if group.closed_on:
            closed = group.closed_on.isoformat()
            event(group, "group.closed", noon(group.closed_on), admin.pk, group.closing_reason, effective_on=closed)
    for acceptance in StatutesAcceptance.objects.filter(group_id__in=demo_groups).select_related("version"):
        group = demo_groups[acceptance.group_id]
        event(
            group,
            "group.statutes_accepted",
            acceptance.accepted_at,
            acceptance.accepted_by_id,
            version=acceptance.version.version,
        )
    for office in Office.objects.filter(group_id__in=demo_groups).select_related("person").order_by("pk"):
        group = demo_groups[office.group_id]
        leader = leader_of.get(group.region_id)
        details = {"office": office.kind, "title": office.title, "person": office.person_id, "name": str(office.person)}
        event(group, "office.assigned", noon(office.started_on), leader, **details, started_on=str(office.started_on))
        if office.ended_on:
            # A lapse is recorded by the register import: no person did it.
            actor = None if office.end_reason == Office.EndReason.MEMBERSHIP_LAPSED else leader
            event(
                group,
                "office.ended",
                noon(office.ended_on),
                actor,
                **details,
                ended_on=str(office.ended_on),
                why=office.end_reason,
            )
    answered = JoinRequest.objects.filter(group_id__in=demo_groups, answered_at__isnull=False).select_related("person")
    for join_request in answered:
        accepted = join_request.status == JoinRequest.Status.ACCEPTED
        event(
            demo_groups[join_request.group_id],
            "group.join_accepted" if accepted else "group.join_declined",
            join_request.answered_at,
            join_request.answered_by_id,
            person=join_request.person_id,
            name=str(join_request.person),
            answer=join_request.answer,
        )
    AuditEvent.objects.bulk_create(events, batch_size=500)


# --- Individual activists (issue 6): a few in every region, some far from the cities ----------------

ACTIVISTS_PER_REGION = {"bergen": 6, "oslo": 3, "stavanger": 3, "trondheim": 3, "tromso": 3}
SILENT_ACTIVISTS = {"bergen": 2, "trondheim": 1}  # last heard from seven months ago
ACTIVIST_LOG = [
    (AT.OTHER, "Skrivekafé på biblioteket", 8, True),
    (AT.OPEN_EVENT, "Foredrag om menneskerettigheter for en skoleklasse", 24, True),
    (AT.OPEN_EVENT, "Filmkveld i bygdehuset", 15, True),
    (AT.ONLINE_ACTIONS, "Delte Skriv for liv-aksjonen i sosiale medier", 1, True),
    (AT.SIGNATURES, "Samlet underskrifter på julemarkedet", 3, True),
    (AT.OTHER, "Menneskerettighetsløp med familien", 6, True),
    (AT.OTHER, "Leste meg opp på kampanjemateriellet", 1, False),
]
BERGEN_MEETING = "Regionmøte for aktivister i Bergen"


def _individual_counts() -> dict:
    from activists.models import ActivistActivity, Gathering, IndividualActivist

    return {
        "individual_activists": IndividualActivist.objects.count(),
        "activist_activities": ActivistActivity.objects.count(),
        "gatherings": Gathering.objects.count(),
    }


def _write_individual_activists(plan: _Planner):
    """Register people in no group as individual activists, with a log of what they did, and one
    upcoming regional meeting in Bergen with some of them invited. Each profile is written once:
    a person who has one already is left as they are, so writing the plan again adds nothing."""
    from activists.models import ActivistActivity, Gathering, GatheringInvitation, IndividualActivist

    rng = random.Random(SEED + 6)
    today = plan.today
    in_groups = GroupMembership.objects.values("person_id")
    areas = list(PriorityArea.objects.filter(is_current=True).order_by("order", "pk"))
    for region in Region.objects.order_by("slug"):
        wanted = ACTIVISTS_PER_REGION.get(region.slug, 2)
        candidates = list(
            User.objects.filter(
                postal_code__municipality__county__region=region, membership_status__in=["paying", "non_member"]
            )
            .exclude(email__in=plan.named)
            .exclude(pk__in=in_groups)
            .exclude(offices__isnull=False)
            .select_related("postal_code__municipality")
            .order_by("email")
        )
        # Most live outside the regional-office city, as the board's project hopes (seed 000).
        outside = [p for p in candidates if p.postal_code.municipality_id not in OFFICE_CITIES]
        inside = [p for p in candidates if p.postal_code.municipality_id in OFFICE_CITIES]
        chosen = (outside[: wanted - 1] + inside[:1] + outside[wanted - 1 :])[:wanted]
        for index, person in enumerate(chosen):
            silent = index < SILENT_ACTIVISTS.get(region.slug, 0)
            heard = today - datetime.timedelta(days=213 if silent else rng.randint(3, 120))
            activist, created = IndividualActivist.objects.get_or_create(
                person=person,
                defaults={
                    "modes": rng.sample(["alone", "with_others", "online"], rng.randint(1, 2)),
                    "time": rng.choice(["once", "monthly", "regular"]),
                    "family_friendly": rng.random() < 0.3,
                    "availability": rng.choice(["Helst kvelder", "En helg i måneden", "Når det passer", ""]),
                    "signed_up_at": _at(heard - datetime.timedelta(days=rng.randint(30, 120)), 19),
                    "last_heard_on": heard,
                },
            )
            if not created:
                continue
            activist.themes.set(rng.sample(areas, min(len(areas), rng.randint(1, 2))))
            for _n in range(rng.randint(1, 3)):
                kind, text, people, outward = rng.choice(ACTIVIST_LOG)
                ActivistActivity.objects.create(
                    activist=activist,
                    date=heard - datetime.timedelta(days=rng.randint(0, 90)),
                    type=kind,
                    description=text,
                    participants=people,
                    outward=outward,
                    priority_area=rng.choice(areas) if areas else None,
                    campaign=WRITE_FOR_RIGHTS if "Skriv for liv" in text else "",
                    region=region,
                )
    bergen = Region.objects.get(slug="bergen")
    leader = RegionRole.objects.filter(region=bergen, kind=RegionRole.Kind.LEADER).order_by("pk").first()
    meeting, created = Gathering.objects.get_or_create(
        title=BERGEN_MEETING,
        defaults={
            "kind": Gathering.Kind.REGIONAL_MEETING,
            "region": bergen,
            "starts_at": _at(today + datetime.timedelta(days=24), 18),
            "place": "Amnestys regionkontor, Bergen",
            "description": "Vi planlegger vårens aktiviteter og Skriv for liv. Enkel servering.",
            "created_by_id": leader.person_id if leader else None,
        },
    )
    if created:
        invited = IndividualActivist.objects.filter(person__postal_code__municipality__county__region=bergen)
        GatheringInvitation.objects.bulk_create(
            [
                GatheringInvitation(
                    gathering=meeting, person_id=activist.person_id, invited_by_id=meeting.created_by_id
                )
                for activist in invited.order_by("person__email")[:3]
            ]
        )


def _write_urgent_action_draft():
    """A draft urgent action (campaigns) for the secretariat to preview; nothing is sent."""
    from campaigns.models import ActionAlert
    from regions.models import Region

    alert = ActionAlert.objects.create(
        title="Løslat journalisten som ble arrestert i går",
        body=(
            "En journalist ble arrestert i går for å ha skrevet om valget. Hun risikerer lang fengselsstraff.\n\n"
            "Skriv til ambassaden i dag og krev at hun løslates straks og uten vilkår."
        ),
        action_url="https://www.amnesty.no/",
        created_by=User.objects.get(email=MARKER_EMAIL),
    )
    alert.regions.set(Region.objects.filter(slug="bergen"))


def _write_erasure_request():
    """A lapsed member in no group waiting to be erased: the secretariat's list of erasure
    requests has one to show (once: a load completing an interrupted one adds no second)."""
    from activists.models import ErasureRequest

    if ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING).exists():
        return
    person = (
        User.objects.filter(membership_status=User.Membership.LAPSED, group_memberships__isnull=True)
        .exclude(email=None)
        .order_by("pk")
        .first()
    )
    if person is not None:
        ErasureRequest.objects.create(
            person=person, reason="Jeg har flyttet utenlands og vil ikke stå i registeret lenger."
        )
