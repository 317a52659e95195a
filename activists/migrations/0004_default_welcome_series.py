"""The default welcome series (days 0, 7, 21 and 45), which admins then edit.

The invitation to be active comes in the last email, as seed 000 advises ("en av de siste
epostene i løpet for nye medlemmer, slik at vi ikke «spammer» de som er helt uinteresserte").
A step already there (by its day) is left as it is: running this again changes nothing.
"""

from django.db import migrations

STEPS = [
    {
        "day": 0,
        "subject": "Velkommen som medlem av Amnesty!",
        "subject_en": "Welcome to Amnesty as a member!",
        "body": (
            "Takk for at du er blitt medlem av Amnesty International Norge. Sammen med over ti millioner "
            "mennesker i hele verden står du nå opp for menneskerettighetene.\n\n"
            "Amnesty avdekker overgrep, krever at de ansvarlige stilles til ansvar, og legger press på "
            "myndigheter og selskaper for at alle skal få sine rettigheter oppfylt. Vi tar ikke imot "
            "penger fra myndigheter: det er medlemmene som gjør oss uavhengige.\n\n"
            "De neste ukene sender vi deg noen få e-poster om hva Amnesty gjør og hva medlemskapet ditt "
            "betyr."
        ),
        "body_en": (
            "Thank you for becoming a member of Amnesty International Norway. Together with more than ten "
            "million people around the world, you now stand up for human rights.\n\n"
            "Amnesty exposes abuses, demands that those responsible are held to account, and puts pressure "
            "on governments and companies so that everyone's rights are respected. We take no money from "
            "governments: our members are what make us independent.\n\n"
            "Over the next weeks we will send you a few emails about what Amnesty does and what your "
            "membership means."
        ),
        "invites_to_engage": False,
    },
    {
        "day": 7,
        "subject": "Slik gjør medlemmene en forskjell",
        "subject_en": "How members make a difference",
        "body": (
            "Medlemmer som deg gjør det mulig for Amnesty å jobbe langsiktig. Hvert år blir "
            "samvittighetsfanger løslatt, lover endret og overgrep stanset fordi mange krever det samtidig.\n\n"
            "Akkurat nå jobber vi blant annet med kampanjer for ytringsfrihet, for flyktningers rettigheter "
            "og for retten til å protestere. Hver høst skriver hundretusener brev i Skriv for liv, verdens "
            "største menneskerettighetskampanje.\n\n"
            "Du finner de aktuelle kampanjene og aksjonene på amnesty.no."
        ),
        "body_en": (
            "Members like you make it possible for Amnesty to work for the long term. Every year prisoners "
            "of conscience are released, laws are changed and abuses stopped because many people demand it "
            "at the same time.\n\n"
            "Right now we are campaigning, among other things, for freedom of expression, for the rights of "
            "refugees and for the right to protest. Every autumn hundreds of thousands write letters in "
            "Write for Rights, the world's largest human rights campaign.\n\n"
            "You will find the current campaigns and actions on amnesty.no."
        ),
        "invites_to_engage": False,
    },
    {
        "day": 21,
        "subject": "Ditt medlemskap: rettigheter og hvordan du holder deg oppdatert",
        "subject_en": "Your membership: your rights and how to stay informed",
        "body": (
            "Som medlem er du med og bestemmer i Amnesty Norge. Du kan stemme og stille til valg på "
            "landsmøtet, organisasjonens øverste organ, og du kan fremme forslag til det.\n\n"
            "Du kan holde deg oppdatert gjennom nyhetsbrevet, medlemsbladet og Amnesty på sosiale medier. "
            "I Amnesty-portalen kan du logge inn og se og endre det vi har registrert om deg, og velge hvilke "
            "e-poster du vil ha.\n\n"
            "Har du spørsmål om medlemskapet, kan du svare på denne e-posten eller kontakte regionkontoret "
            "ditt."
        ),
        "body_en": (
            "As a member you have a say in Amnesty Norway. You can vote and stand for election at the "
            "national assembly, the organisation's highest body, and you can put forward proposals to it.\n\n"
            "You can stay informed through the newsletter, the members' magazine and Amnesty on social "
            "media. In Amnesty-portalen you can log in to see and change what we hold about you, and choose "
            "which emails you want.\n\n"
            "If you have questions about your membership, reply to this email or contact your regional "
            "office."
        ),
        "invites_to_engage": False,
    },
    {
        "day": 45,
        "subject": "Vil du være aktiv der du bor?",
        "subject_en": "Would you like to be active where you live?",
        "body": (
            "Mange medlemmer vil gjøre litt mer enn å betale kontingenten, men vet ikke hvordan. Du trenger "
            "ikke å binde deg til et ukentlig gruppemøte: du kan være med i en gruppe nær deg, eller gjøre "
            "noe på egen hånd, når det passer deg, alene, sammen med andre eller på nett.\n\n"
            "Her er noen forslag for der du bor."
        ),
        "body_en": (
            "Many members would like to do a little more than pay their fee, but do not know how. You do not "
            "have to commit to a weekly group meeting: you can join a group near you, or do something on "
            "your own terms, when it suits you, alone, with others or online.\n\n"
            "Here are a few suggestions for where you live."
        ),
        "invites_to_engage": True,
    },
]


def add(apps, schema_editor):
    WelcomeStep = apps.get_model("activists", "WelcomeStep")
    for step in STEPS:
        WelcomeStep.objects.get_or_create(day=step["day"], defaults=step)


class Migration(migrations.Migration):
    dependencies = [("activists", "0003_engagement_welcome_consent_erasure")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
