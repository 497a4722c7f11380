"""The fictional profiles and exchange subjects of the network fill, French and English.

A contact works on one to three topics drawn from ``TOPICS`` with Zipf-like weights (a few topics
are common, most are rare, as skills are in a real network); their profile (what they do, offers,
needs, tags, how we met) and most of their exchange subjects speak of those topics. Names and
organisations come from the page bench's lists. Every choice comes from a seeded ``random.Random``.
"""

from __future__ import annotations

import random

from bench.page_bench.texts import contact_fields

# (French wording, English wording, tag). Ordered from the most common to the rarest.
TOPICS = [
    ("comptabilité", "accounting", "finance"),
    ("communication", "communications", "communication"),
    ("recrutement", "recruiting", "rh"),
    ("développement web", "web development", "tech"),
    ("levée de fonds", "fundraising", "finance"),
    ("bilan carbone", "carbon footprint", "climat"),
    ("droit du travail", "employment law", "juridique"),
    ("graphisme", "graphic design", "design"),
    ("subventions européennes", "EU grants", "financement"),
    ("formation professionnelle", "vocational training", "formation"),
    ("logistique", "logistics", "opérations"),
    ("relations presse", "press relations", "communication"),
    ("photographie", "photography", "image"),
    ("traduction en allemand", "German translation", "langues"),
    ("marchés publics", "public procurement", "juridique"),
    ("rénovation énergétique", "energy retrofit", "bâtiment"),
    ("agriculture biologique", "organic farming", "agriculture"),
    ("cybersécurité", "cybersecurity", "tech"),
    ("data science", "data science", "tech"),
    ("gestion de projet", "project management", "méthodes"),
    ("économie circulaire", "circular economy", "climat"),
    ("facilitation d'ateliers", "workshop facilitation", "méthodes"),
    ("vidéo", "video production", "image"),
    ("mobilité douce", "active mobility", "mobilité"),
    ("permaculture", "permaculture", "agriculture"),
    ("propriété intellectuelle", "intellectual property", "juridique"),
    ("expérience utilisateur", "user experience", "design"),
    ("immobilier commercial", "commercial real estate", "immobilier"),
    ("export vers le Québec", "exporting to Canada", "international"),
    ("analyse du cycle de vie", "life cycle assessment", "climat"),
    ("crowdfunding", "crowdfunding", "finance"),
    ("menuiserie", "carpentry", "artisanat"),
    ("épicerie vrac", "zero-waste grocery", "commerce"),
    ("médiation", "mediation", "social"),
    ("paie", "payroll", "rh"),
    ("référencement", "search engine optimisation", "marketing"),
    ("impression 3D", "3D printing", "fabrication"),
    ("apiculture", "beekeeping", "agriculture"),
    ("sonorisation", "sound engineering", "événementiel"),
    ("biodiversité urbaine", "urban biodiversity", "climat"),
    ("habitat participatif", "cohousing", "bâtiment"),
    ("assurance", "insurance", "finance"),
    ("langue des signes", "sign language", "langues"),
    ("low-tech", "low-tech", "tech"),
    ("compostage", "composting", "climat"),
    ("microbrasserie", "craft brewing", "commerce"),
    ("restauration de vitraux", "stained glass restoration", "artisanat"),
    ("géothermie", "geothermal energy", "énergie"),
    ("éolien citoyen", "community wind power", "énergie"),
    ("vélo cargo", "cargo bikes", "mobilité"),
]
# Zipf-like: the k-th topic is drawn with weight 1/(k+1)^0.9.
TOPIC_WEIGHTS = [1 / (k + 1) ** 0.9 for k in range(len(TOPICS))]

POSITIONS_FR = [
    "Gérante",
    "Directeur",
    "Consultante",
    "Chargé de mission",
    "Responsable administrative",
    "Fondatrice",
    "Ingénieur",
    "Coordinatrice",
    "Artisan",
    "Juriste",
]
POSITIONS_EN = [
    "Managing director",
    "Consultant",
    "Project officer",
    "Founder",
    "Engineer",
    "Programme lead",
    "Freelancer",
    "Head of operations",
    "Counsel",
]
DOES_FR = [
    "Accompagne les PME et les associations sur {a}, et depuis peu sur {b}.",
    "Indépendante en {a} depuis dix ans ; travaille souvent avec des collectivités.",
    "Dirige une petite équipe spécialisée en {a} et {b}.",
    "Enseigne {a} et conseille des coopératives.",
]
DOES_EN = [
    "Helps small firms and charities with {a}, lately with {b} too.",
    "Independent {a} specialist for ten years; often works with local councils.",
    "Runs a small team focused on {a} and {b}.",
    "Teaches {a} and advises co-operatives.",
]
OFFERS_FR = [
    "Peut aider sur {a}. Connaît bien {b}.",
    "Propose un premier rendez-vous gratuit en {a}.",
    "A monté plusieurs dossiers de {a} ; peut relire un projet.",
    "Sait faire {a} de A à Z, et un peu de {b}.",
]
OFFERS_EN = [
    "Can help with {a}. Knows {b} well.",
    "Offers a free first meeting on {a}.",
    "Has put together several {a} files; happy to review a project.",
    "Does {a} end to end, and some {b}.",
]
NEEDS_FR = ["Cherche des clients en {a}.", "Cherche un associé pour {a}.", "Aimerait se former en {a}."]
NEEDS_EN = ["Looking for {a} clients.", "Looking for a partner in {a}.", "Wants to learn {a}."]
MET_FR = [
    "Rencontrée au forum {word} en 2023.",
    "Présenté par un membre du cercle.",
    "Voisin de bureau au tiers-lieu.",
    "Atelier {a} à {town}.",
]
MET_EN = [
    "Met at the {word} forum in 2023.",
    "Introduced by a circle member.",
    "Shared an office at the co-working space.",
    "{a} workshop in {town}.",
]
SUBJECTS_FR = [
    "Re: {a}",
    "Devis {a}",
    "Point d'étape : {a}",
    "Question rapide sur {a}",
    "Invitation : atelier {a}",
    "Re: Re: rendez-vous {a}",
    "Compte rendu réunion {a}",
    "Tr: documents {a}",
    "Merci pour l'aide sur {a}",
    "Présentation : {a}",
]
SUBJECTS_EN = [
    "Re: {a}",
    "Quote for {a}",
    "{a}: progress update",
    "Quick question on {a}",
    "Invitation: {a} workshop",
    "Re: Re: {a} meeting",
    "Minutes: {a}",
    "Fwd: {a} documents",
    "Thanks for the help with {a}",
    "Intro: {a}",
]
NOTES = [
    "Très réactive, a sauvé le dossier {a} en une semaine.",
    "Prefers phone calls to mail; great on {a}.",
    "À relancer en septembre pour {a}.",
    "Knows everyone in {a} in the region.",
]

# "Who in my network can …?" questions: common, medium and rare topics, one and several words, both
# languages, and one that nobody answers.
QUERIES = [
    "comptabilité",
    "accounting",
    "communication",
    "recruiting",
    "levée de fonds",
    "fundraising",
    "bilan carbone",
    "carbon footprint",
    "droit du travail",
    "graphic design",
    "subventions européennes",
    "traduire en allemand",
    "marchés publics",
    "rénovation énergétique",
    "cybersecurity",
    "data science",
    "économie circulaire",
    "propriété intellectuelle",
    "analyse du cycle de vie",
    "beekeeping",
    "vitraux",
    "géothermie",
    "vélo cargo",
    "qui sait réparer un orgue baroque",
]


def pick_topics(rng: random.Random) -> list[int]:
    count = rng.choice((1, 1, 2, 2, 3))
    return sorted(set(rng.choices(range(len(TOPICS)), weights=TOPIC_WEIGHTS, k=count)))


def topic(index: int, lang: str) -> str:
    fr, en, _tag = TOPICS[index]
    return fr if lang == "fr" else en


def subject(rng: random.Random, topics: list[int], lang: str) -> str:
    """An exchange subject: about one of the contact's topics four times in five, else any topic."""
    index = rng.choice(topics) if rng.random() < 0.8 else rng.randrange(len(TOPICS))
    templates = SUBJECTS_FR if lang == "fr" else SUBJECTS_EN
    return rng.choice(templates).format(a=topic(index, lang))


def profile(rng: random.Random, index: int, *, full: bool) -> dict[str, object]:
    """The Contact fields of one person; ``full``: the team wrote their profile (else name and
    organisation only, as most people of a mailbox). ``topics`` and ``lang`` are for the fill."""
    name, email, org, lang = contact_fields(rng, index)
    topics = pick_topics(rng)
    a = topic(topics[0], lang)
    b = topic(topics[-1], lang)
    fields: dict[str, object] = {
        "name": name,
        "email": email,
        "organisation": org,
        "language": lang,
        "topics": topics,
        "position": rng.choice(POSITIONS_FR if lang == "fr" else POSITIONS_EN) if rng.random() < 0.6 else "",
    }
    if full:
        fr = lang == "fr"
        fields["what_they_do"] = rng.choice(DOES_FR if fr else DOES_EN).format(a=a, b=b)
        fields["offers"] = rng.choice(OFFERS_FR if fr else OFFERS_EN).format(a=a, b=b)
        if rng.random() < 0.3:
            fields["needs"] = rng.choice(NEEDS_FR if fr else NEEDS_EN).format(a=b)
        fields["tags"] = ", ".join(dict.fromkeys(TOPICS[t][2] for t in topics))
        if rng.random() < 0.5:
            fields["how_we_met"] = rng.choice(MET_FR if fr else MET_EN).format(
                a=a, word=rng.choice(("Horizon", "Commons", "Canopée")), town=rng.choice(("Nantes", "Lyon"))
            )
    return fields


def note(rng: random.Random, topics: list[int]) -> str:
    return rng.choice(NOTES).format(a=topic(rng.choice(topics), rng.choice(("fr", "en"))))
