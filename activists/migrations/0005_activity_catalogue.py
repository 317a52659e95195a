"""The engage-locally catalogue of low-threshold activities from seed 000, which admins then edit."""

from django.db import migrations

ALONE, WITH_OTHERS, ONLINE = "alone", "with_others", "online"
ONCE, MONTHLY, REGULAR = "once", "monthly", "regular"

CATALOGUE = [
    {
        "slug": "skrivekafe",
        "title": "Skrivecafé der du bor",
        "title_en": "A writing café where you live",
        "summary": (
            "Inviter til en skrivecafé på biblioteket, den lokale kafeen eller skolen, der folk skriver brev "
            "og appeller for mennesker som får rettighetene sine brutt."
        ),
        "summary_en": (
            "Invite people to a writing café at the library, the local café or the school, where they write "
            "letters and appeals for people whose rights are violated."
        ),
        "how_to": (
            "1. Spør biblioteket, kafeen eller skolen om et bord eller et rom i et par timer.\n"
            "2. Skriv ut appellene fra materiellet, og ta med penner, konvolutter og frimerker.\n"
            "3. Fortell om skrivecaféen på oppslagstavla, i lokalavisa og i sosiale medier.\n"
            "4. Send brevene, og fortell deltakerne hvordan det gikk når Amnesty får nytt om sakene."
        ),
        "how_to_en": (
            "1. Ask the library, café or school for a table or a room for a couple of hours.\n"
            "2. Print the appeals from the material, and bring pens, envelopes and stamps.\n"
            "3. Tell people about the writing café on the notice board, in the local paper and on social media.\n"
            "4. Send the letters, and tell the participants how it went when Amnesty has news of the cases."
        ),
        "material_url": "https://amnesty.no/skrivekafe",
        "modes": [ALONE, WITH_OTHERS],
        "times": [ONCE, MONTHLY],
        "family_friendly": False,
        "activity_type": "letters_to_authorities",
    },
    {
        "slug": "foredrag",
        "title": "Hold et foredrag",
        "title_en": "Give a talk",
        "summary": (
            "Fortell om menneskerettigheter og Amnestys arbeid for en skoleklasse, på eldresenteret eller "
            "for vennegjengen."
        ),
        "summary_en": (
            "Talk about human rights and Amnesty's work to a school class, at the senior centre or to your friends."
        ),
        "how_to": (
            "1. Velg et tema du bryr deg om, og last ned foredragspakken med lysbilder og manus.\n"
            "2. Avtal tid med læreren, eldresenteret eller vennene dine; 30–45 minutter holder.\n"
            "3. La tilhørerne stille spørsmål, og avslutt med noe de kan gjøre selv, for eksempel en appell.\n"
            "4. Logg foredraget i portalen, så teller det med i regionens aktiviteter."
        ),
        "how_to_en": (
            "1. Choose a theme you care about, and download the talk pack with slides and notes.\n"
            "2. Agree on a time with the teacher, the senior centre or your friends; 30–45 minutes is enough.\n"
            "3. Leave time for questions, and end with something the audience can do, such as an appeal.\n"
            "4. Log the talk in the portal, so that it counts among the region's activities."
        ),
        "material_url": "https://amnesty.no/skolemateriell",
        "modes": [ALONE, WITH_OTHERS],
        "times": [ONCE, MONTHLY],
        "family_friendly": False,
        "activity_type": "open_event",
    },
    {
        "slug": "filmvisning",
        "title": "Vis en film",
        "title_en": "Show a film",
        "summary": (
            "Vis en dokumentar om menneskerettigheter hjemme, på biblioteket eller i et forsamlingshus, "
            "og snakk om den etterpå."
        ),
        "summary_en": (
            "Show a documentary about human rights at home, at the library or in a community hall, and talk "
            "about it afterwards."
        ),
        "how_to": (
            "1. Velg en film fra filmlista; der står det hvordan du får visningsrett.\n"
            "2. Finn et sted og en kveld, og inviter naboer, venner eller kolleger.\n"
            "3. Bruk samtaleguiden etter filmen, og ha en appell klar som folk kan signere."
        ),
        "how_to_en": (
            "1. Choose a film from the film list, which says how to get the right to show it.\n"
            "2. Find a place and an evening, and invite neighbours, friends or colleagues.\n"
            "3. Use the discussion guide after the film, and have an appeal ready for people to sign."
        ),
        "material_url": "https://amnesty.no/filmer",
        "modes": [WITH_OTHERS],
        "times": [ONCE],
        "family_friendly": False,
        "activity_type": "open_event",
    },
    {
        "slug": "orienteringslop",
        "title": "Orienteringsløp eller tur for menneskerettighetene",
        "title_en": "An orienteering run or walk for human rights",
        "summary": (
            "Lag et orienteringsløp eller en tur i nærmiljøet med poster om menneskerettigheter, gjerne "
            "sammen med det lokale orienteringslaget. Passer for hele familien."
        ),
        "summary_en": (
            "Set up an orienteering run or a walk near you with checkpoints about human rights, perhaps with "
            "the local orienteering club. Good for the whole family."
        ),
        "how_to": (
            "1. Finn en løype eller turvei, og spør gjerne det lokale orienteringslaget om å være med.\n"
            "2. Skriv ut postene fra materiellet: hver post har en kort sak og et spørsmål.\n"
            "3. Inviter skoler, familier og turlag, og ha en appell klar ved målgang."
        ),
        "how_to_en": (
            "1. Find a course or a trail, and ask the local orienteering club to join in.\n"
            "2. Print the checkpoints from the material: each has a short case and a question.\n"
            "3. Invite schools, families and hiking clubs, and have an appeal ready at the finish."
        ),
        "material_url": "https://amnesty.no/engasjer-deg-lokalt",
        "modes": [WITH_OTHERS],
        "times": [ONCE],
        "family_friendly": True,
        "activity_type": "open_event",
    },
    {
        "slug": "sosiale-medier",
        "title": "Bidra i sosiale medier",
        "title_en": "Take part on social media",
        "summary": (
            "Del Amnestys aksjoner og saker med dine følgere, når det passer deg. Det tar fem minutter, og det hjelper."
        ),
        "summary_en": (
            "Share Amnesty's actions and cases with your followers whenever it suits you. It takes five "
            "minutes, and it helps."
        ),
        "how_to": (
            "1. Følg Amnesty Norge i kanalene du bruker.\n"
            "2. Del aksjonene med noen ord om hvorfor saken betyr noe for deg.\n"
            "3. Signer selv først, og be vennene dine gjøre det samme."
        ),
        "how_to_en": (
            "1. Follow Amnesty Norway on the channels you use.\n"
            "2. Share the actions with a few words on why the case matters to you.\n"
            "3. Sign first yourself, and ask your friends to do the same."
        ),
        "material_url": "https://amnesty.no/aksjoner",
        "modes": [ALONE, ONLINE],
        "times": [ONCE, MONTHLY, REGULAR],
        "family_friendly": False,
        "activity_type": "online_actions",
    },
    {
        "slug": "digital-moteplass",
        "title": "Bli med i den digitale møteplassen for enkeltaktivister",
        "title_en": "Join the digital meeting place for individual activists",
        "summary": (
            "En møteplass på nett for deg som er aktiv på egen hånd: møt andre aktivister fra hele landet, "
            "del ideer og få invitasjoner til regionmøter, kampanjeopplæring og landsmøtet."
        ),
        "summary_en": (
            "An online meeting place for those who are active on their own: meet other activists from all over "
            "the country, share ideas and be invited to regional meetings, campaign training and the national "
            "assembly."
        ),
        "how_to": (
            "1. Bli med via knappen her.\n"
            "2. Presenter deg, og fortell hva du har lyst til å gjøre.\n"
            "3. Følg med på invitasjonene, og del det du har gjort, så andre kan lære av det."
        ),
        "how_to_en": (
            "1. Join with the button here.\n"
            "2. Introduce yourself, and say what you would like to do.\n"
            "3. Look out for invitations, and share what you have done so that others can learn from it."
        ),
        "material_url": "",
        "modes": [ONLINE],
        "times": [ONCE, MONTHLY, REGULAR],
        "family_friendly": False,
        "activity_type": "other",
        "is_meeting_place": True,
    },
    {
        "slug": "landsmotet",
        "title": "Delta på landsmøtet",
        "title_en": "Come to the national assembly",
        "summary": (
            "Landsmøtet er kjernen i Amnestys medlemsdemokrati. Møt aktivister fra hele landet på "
            "aktivisttorget og festmiddagen, og vær med og bestem retningen."
        ),
        "summary_en": (
            "The national assembly is the heart of Amnesty's member democracy. Meet activists from all over "
            "the country at the activist fair and the festive dinner, and help decide where Amnesty goes."
        ),
        "how_to": (
            "1. Se dato og sted på landsmøtesiden, og meld deg på innen fristen.\n"
            "2. Les sakspapirene når de kommer ut, og still gjerne spørsmål på forhånd.\n"
            "3. Ta med det du har gjort som aktivist til aktivisttorget."
        ),
        "how_to_en": (
            "1. Find the date and place on the assembly's page, and sign up by the deadline.\n"
            "2. Read the papers when they are published, and ask questions beforehand if you like.\n"
            "3. Bring what you have done as an activist to the activist fair."
        ),
        "material_url": "https://amnesty.no/landsmotet",
        "modes": [WITH_OTHERS],
        "times": [ONCE],
        "family_friendly": False,
        "activity_type": "other",
    },
    {
        "slug": "skriv-for-liv",
        "title": "Skriv for liv",
        "title_en": "Write for Rights",
        "summary": (
            "Verdens største skrivekampanje for menneskerettigheter, hver desember. Skriv brev og kort "
            "alene, med venner eller med barna – også barn kan lage kort med hilsener."
        ),
        "summary_en": (
            "The world's largest letter-writing campaign for human rights, every December. Write letters and "
            "cards alone, with friends or with your children – children can make greeting cards too."
        ),
        "how_to": (
            "1. Last ned årets saker og brevmaler fra kampanjesiden.\n"
            "2. Skriv hjemme, eller inviter til en skrivekveld med kakao og kaker.\n"
            "3. La barna tegne og skrive solidaritetskort.\n"
            "4. Send brevene før fristen, og fortell hvor mange dere skrev."
        ),
        "how_to_en": (
            "1. Download this year's cases and letter templates from the campaign page.\n"
            "2. Write at home, or invite people to a writing evening with cocoa and cakes.\n"
            "3. Let the children draw and write solidarity cards.\n"
            "4. Send the letters before the deadline, and tell us how many you wrote."
        ),
        "material_url": "https://amnesty.no/skriv-for-liv",
        "modes": [ALONE, WITH_OTHERS, ONLINE],
        "times": [ONCE],
        "family_friendly": True,
        "activity_type": "letters_to_authorities",
    },
    {
        "slug": "pride",
        "title": "Pride med Amnesty",
        "title_en": "Pride with Amnesty",
        "summary": (
            "Gå i Pride-toget med Amnesty, eller hjelp til på standen. Et fargerikt og familievennlig "
            "arrangement for skeives rettigheter."
        ),
        "summary_en": (
            "Walk in the Pride parade with Amnesty, or help out at the stand. A colourful, family-friendly "
            "event for LGBTI+ rights."
        ),
        "how_to": (
            "1. Se når Pride er der du bor, og meld deg hos regionkontoret.\n"
            "2. Lag plakater sammen – gjerne med barna.\n"
            "3. Gå i toget, eller hjelp til med å samle underskrifter på standen."
        ),
        "how_to_en": (
            "1. Find out when Pride is where you live, and tell the regional office you are coming.\n"
            "2. Make placards together – children love to help.\n"
            "3. Walk in the parade, or help collect signatures at the stand."
        ),
        "material_url": "https://amnesty.no/pride",
        "modes": [WITH_OTHERS],
        "times": [ONCE],
        "family_friendly": True,
        "activity_type": "stand",
        "priority_areas": ["Skeives rettigheter (lhbti+)"],
    },
    {
        "slug": "trillegruppe",
        "title": "Barsel- eller trillegruppe for menneskerettigheter",
        "title_en": "A parent and stroller group for human rights",
        "summary": (
            "Et alternativ til en lokalgruppe for deg som er i permisjon: trilleturer til stands, brevskriving "
            "over kaffen og deltakelse på demonstrasjoner, med barna på slep."
        ),
        "summary_en": (
            "An alternative to a local group for parents on leave: stroller walks to stands, letter writing "
            "over coffee and joining demonstrations, with the children along."
        ),
        "how_to": (
            "1. Spør barselgruppa di, eller inviter andre foreldre via helsestasjonen eller sosiale medier.\n"
            "2. Velg en sak, og skriv et brev eller en appell sammen på neste treff.\n"
            "3. Trill til en stand eller en markering, og registrer gjerne gruppa som en Amnesty-gruppe."
        ),
        "how_to_en": (
            "1. Ask your parents' group, or invite other parents through the health centre or social media.\n"
            "2. Choose a case, and write a letter or an appeal together at your next meeting.\n"
            "3. Walk to a stand or a demonstration, and consider registering as an Amnesty group."
        ),
        "material_url": "https://amnesty.no/engasjer-deg-lokalt",
        "modes": [WITH_OTHERS],
        "times": [MONTHLY, REGULAR],
        "family_friendly": True,
        "activity_type": "other",
    },
]


def add(apps, schema_editor):
    ActivityIdea = apps.get_model("activists", "ActivityIdea")
    PriorityArea = apps.get_model("groups", "PriorityArea")
    for order, entry in enumerate(CATALOGUE, start=1):
        fields = {key: value for key, value in entry.items() if key not in ("slug", "priority_areas")}
        idea, _created = ActivityIdea.objects.update_or_create(
            slug=entry["slug"], defaults={**fields, "order": order * 10, "is_published": True}
        )
        areas = PriorityArea.objects.filter(name__in=entry.get("priority_areas", []))
        idea.priority_areas.set(areas)


class Migration(migrations.Migration):
    dependencies = [
        ("activists", "0004_default_welcome_series"),
        ("groups", "0003_priority_areas_and_statutes"),
    ]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
