"""The fictional but realistic texts of the fill, French and English: names, organisations, needs,
and the first message of each request (a real need, or mail the second dismisses).

Every choice comes from the fill's seeded ``random.Random``: the same seed gives the same database.
"""

from __future__ import annotations

import random

FIRST_FR = [
    "Marc",
    "Sophie",
    "Julie",
    "Antoine",
    "Nicolas",
    "Élodie",
    "Camille",
    "Hélène",
    "Louis",
    "Yasmine",
    "Thomas",
    "Chloé",
    "Mathieu",
    "Léa",
]
LAST_FR = [
    "Lefèvre",
    "Garnier",
    "Roux",
    "Mercier",
    "Blanc",
    "Fontaine",
    "Perrin",
    "Caron",
    "Barbier",
    "Chérif",
    "Girard",
    "Lambert",
    "Bonnet",
]
FIRST_EN = [
    "James",
    "Priya",
    "Laura",
    "Daniel",
    "Hannah",
    "Ben",
    "Sarah",
    "Oliver",
    "Emma",
    "Noah",
    "Grace",
    "Henry",
    "Amelia",
    "Jack",
]
LAST_EN = [
    "Whitaker",
    "Nair",
    "Chen",
    "Okafor",
    "Schultz",
    "Walsh",
    "Lindqvist",
    "Grant",
    "Hughes",
    "Patel",
    "Murphy",
    "Evans",
    "Clarke",
]
TOWNS_FR = [
    "Nantes",
    "Lyon",
    "Rennes",
    "Grenoble",
    "Lille",
    "Angers",
    "Tours",
    "Dijon",
    "Brest",
    "Annecy",
    "Bordeaux",
    "Nancy",
]
TOWNS_EN = [
    "Leeds",
    "Bristol",
    "Dublin",
    "Glasgow",
    "Oxford",
    "Bath",
    "Cardiff",
    "York",
    "Brighton",
    "Norwich",
]
WORDS_FR = [
    "Horizon",
    "Racines",
    "Canopée",
    "Boussole",
    "Ruche",
    "Estuaire",
    "Semis",
    "Passerelle",
    "Sillon",
    "Écluse",
]
WORDS_EN = [
    "Northfield",
    "GreenLoop",
    "BrightPath",
    "Riverside",
    "Commons",
    "Keystone",
    "Lantern",
    "Meadow",
    "Harbour",
]
ORGS_FR = [
    "Menuiserie {last}",
    "Mairie de {town}",
    "Atelier {last}",
    "Coopérative {word}",
    "Biocoop {town}",
    "Transports {last}",
    "Tiers-lieu {word}",
    "Les Jardins de {town}",
    "{last} Conseil",
    "Association {word}",
]
ORGS_EN = [
    "{last} & Partners",
    "{word} Co-op",
    "{town} Council",
    "{word} Foundation",
    "{last} Studio",
    "{word} Labs",
    "{town} School",
]
NEEDS_FR = [
    (
        "Accompagnement de notre transition écologique",
        "nous voulons engager la transition écologique de l'entreprise (matériaux, énergie, gouvernance)",
    ),
    (
        "Conférence sur le leadership régénératif",
        "nous aimerions une conférence d'une heure sur le leadership régénératif lors de notre journée annuelle",
    ),
    (
        "Atelier de facilitation pour notre équipe",
        "nous cherchons quelqu'un pour animer un atelier d'une journée avec notre équipe de direction",
    ),
    (
        "Nouvelle identité visuelle",
        "nous souhaitons refaire notre logo et notre site, en cohérence avec nos valeurs",
    ),
    (
        "Bilan carbone et plan d'action",
        "nous devons réaliser un bilan carbone et surtout un plan d'action crédible",
    ),
    (
        "Recherche de financements",
        "nous montons un dossier de subventions et cherchons un regard expérimenté sur notre plan de financement",
    ),
    ("Formation de nos managers", "nous voulons former nos managers à la gouvernance partagée"),
    (
        "Outil numérique sobre pour notre association",
        "nous cherchons un outil simple et libre pour gérer les réservations et les adhésions",
    ),
    (
        "Refonte de notre gouvernance",
        "notre coopérative a beaucoup grandi et les décisions sont devenues pénibles",
    ),
    (
        "Intervention lors de notre séminaire",
        "nous préparons notre séminaire de rentrée et cherchons un intervenant",
    ),
    ("Diagnostic RSE avant labellisation", "nous aimerions un diagnostic RSE avant de candidater à un label"),
    (
        "Modèle économique d'un tiers-lieu",
        "nous ouvrons un tiers-lieu et avons besoin d'aide sur le modèle économique",
    ),
]
NEEDS_EN = [
    ("Help redesigning our governance", "our co-operative has grown fast and decisions have become painful"),
    ("Keynote for our spring retreat", "we would love a keynote on regenerative leadership for 120 founders"),
    (
        "Grant application for a pilot",
        "we are preparing a grant application and would value a review of our plan",
    ),
    (
        "Teacher training on climate education",
        "we would like a two-day training for teachers on climate education",
    ),
    (
        "Partnership on a leadership programme",
        "we want to co-design a module on regenerative leadership with you",
    ),
    (
        "Carbon footprint and action plan",
        "we need a carbon assessment and, above all, a credible action plan",
    ),
    ("New visual identity", "we are looking for a designer to redo our logo and website, true to our values"),
    ("Facilitation for our board", "we need someone to facilitate a strategy day with our board of trustees"),
    ("Low-tech booking tool", "we are looking for a simple, open-source tool for bookings and memberships"),
    (
        "Business model for a community space",
        "we are opening a community space and need help with the business model",
    ),
]
EXTRAS_FR = [
    "Nous avons un budget prévu pour le printemps.",
    "Pourrions-nous en parler la semaine prochaine ?",
    "Nous avons entendu parler de vous par la CCI.",
    "L'équipe compte une trentaine de personnes.",
    "Idéalement, nous aimerions commencer avant l'été.",
    "Je joins notre plaquette pour vous donner une idée du contexte.",
    "Plusieurs partenaires nous ont recommandé votre réseau.",
    "Le conseil d'administration a validé le principe en juin.",
]
EXTRAS_EN = [
    "We have a budget set aside for the spring.",
    "Could we book a call next week?",
    "A mutual friend recommended your network.",
    "The team is about thirty people.",
    "Ideally we would start before the summer.",
    "I attach our brochure to give you some context.",
    "Our board approved the idea last month.",
]
# Not requests at all: what the second dismisses, per reason.
JUNK = {
    "solicitation": {
        "fr": ["Proposition de partenariat commercial", "Développez votre visibilité sur LinkedIn"],
        "en": ["Quick question about your lead generation", "Let us grow your audience"],
    },
    "newsletter": {
        "fr": ["La lettre du mois", "Nos actualités de la semaine"],
        "en": ["Your weekly digest", "This month in sustainability"],
    },
    "notification": {
        "fr": ["Nouvelle connexion à votre compte", "Votre facture est disponible"],
        "en": ["New sign-in to your account", "Your invoice is ready"],
    },
    "spam": {
        "fr": ["Vous avez gagné !", "Dernier rappel : colis en attente"],
        "en": ["You have won!", "Final notice: package on hold"],
    },
    "not_relevant": {
        "fr": ["Candidature spontanée", "Demande de stage"],
        "en": ["Job application", "Internship request"],
    },
}
JUNK_BODY = {
    "fr": (
        "Bonjour,\n\n{subject}. Découvrez sans attendre notre offre réservée à nos contacts privilégiés : "
        "cliquez sur le lien ci-dessous pour en savoir plus. Pour vous désinscrire, répondez STOP.\n\n{name}"
    ),
    "en": (
        "Hello,\n\n{subject}. Check out our offer for selected contacts: click the link below to learn more. "
        "To unsubscribe, reply STOP.\n\n{name}"
    ),
}
DISMISS_WEIGHTS = {"solicitation": 30, "newsletter": 30, "notification": 20, "spam": 15, "not_relevant": 5}
DECISION_NOTES = [
    "",
    "",
    "",
    "Bon client potentiel.",
    "À suivre de près.",
    "Good fit for the circle.",
    "Budget ok.",
]
DECLINE_REASONS = [
    "Pas disponible ce trimestre.",
    "Hors de mon domaine.",
    "Already at full capacity.",
    "Conflit.",
]

PEOPLE = {
    "leader": ("lea", "Léa", "Marchand"),
    "second": ("samuel", "Samuel", "Petit"),
}
MEMBERS = [
    ("claire", "Claire", "Dubois", "Conseil en transition écologique", "Ecological transition consulting"),
    ("karim", "Karim", "Benali", "Facilitateur, gouvernance partagée", "Facilitator, shared governance"),
    ("ines", "Inès", "Moreau", "Designer graphique", "Graphic designer"),
    ("tom", "Tom", "Fischer", "Développeur web sobre", "Low-tech web developer"),
    ("nadia", "Nadia", "Haddad", "Financement de projets", "Project funding and grants"),
    ("oliver", "Oliver", "Grant", "Formateur, leadership régénératif", "Trainer, regenerative leadership"),
]


def contact_fields(rng: random.Random, index: int) -> tuple[str, str, str, str]:
    """A requester: (name, email, organisation, language); ``index`` keeps the email unique."""
    from django.utils.text import slugify

    lang = "fr" if rng.random() < 0.7 else "en"
    first = rng.choice(FIRST_FR if lang == "fr" else FIRST_EN)
    last = rng.choice(LAST_FR if lang == "fr" else LAST_EN)
    org = rng.choice(ORGS_FR if lang == "fr" else ORGS_EN).format(
        last=last,
        town=rng.choice(TOWNS_FR if lang == "fr" else TOWNS_EN),
        word=rng.choice(WORDS_FR if lang == "fr" else WORDS_EN),
    )
    tld = rng.choice([".fr", ".org", ".com"] if lang == "fr" else [".co.uk", ".org", ".io"])
    email = f"{slugify(first)}.{slugify(last)}.{index}@{slugify(org)}{tld}"
    return f"{first} {last}", email, org, lang


def request_text(rng: random.Random, junk: str, name: str, org: str, lang: str) -> tuple[str, str, str]:
    """Subject, body and language of a request's first message; ``junk`` is the dismiss reason of a
    message that is not a real request (empty for a real one)."""
    if rng.random() < 0.05:  # a French contact writing in English, or the reverse
        lang = "en" if lang == "fr" else "fr"
    if junk:
        subject = rng.choice(JUNK[junk][lang])
        return subject, JUNK_BODY[lang].format(subject=subject, name=org), lang
    if lang == "fr":
        subject, need = rng.choice(NEEDS_FR)
        extras = " ".join(rng.sample(EXTRAS_FR, rng.randint(1, 3)))
        greet = rng.choice(["Bonjour,", "Bonjour Léa,", "Madame, Monsieur,"])
        close = rng.choice(["Bien à vous,", "Cordialement,", "Merci d'avance,"])
        body = f"{greet}\n\nJe vous écris au nom de {org}. {need.capitalize()}. {extras}\n\n{close}\n{name}"
    else:
        subject, need = rng.choice(NEEDS_EN)
        extras = " ".join(rng.sample(EXTRAS_EN, rng.randint(1, 3)))
        greet = rng.choice(["Hello,", "Dear Léa,", "Hi there,"])
        close = rng.choice(["Best,", "Kind regards,", "Thanks in advance,"])
        body = f"{greet}\n\nI am writing on behalf of {org}. {need.capitalize()}. {extras}\n\n{close}\n{name}"
    if rng.random() < 0.5:
        subject = f"{subject} – {org}"
    return subject, body, lang
