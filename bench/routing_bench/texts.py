"""The fictional trades of the speed fill, French and English: what members offer, what requests ask.

Each trade has a French and an English name and a few needs in each language (the words a requester
would use). A member works in one or two trades; a past project speaks of its lead's trade most of the
time. Names, towns and organisations come from the page bench's lists. Every choice comes from a seeded
``random.Random``: the same seed gives the same database.
"""

from __future__ import annotations

import random

# (French name, English name, French needs, English needs)
TRADES: list[tuple[str, str, list[str], list[str]]] = [
    (
        "bilan carbone",
        "carbon accounting",
        ["mesurer les émissions de notre usine", "un plan de réduction des gaz à effet de serre"],
        ["measure our plant's emissions", "a greenhouse gas reduction plan"],
    ),
    (
        "comptabilité",
        "bookkeeping",
        ["tenir la comptabilité de l'association", "préparer le bilan annuel et la liasse fiscale"],
        ["keep the charity's books", "prepare the year-end accounts and tax return"],
    ),
    (
        "droit du travail",
        "employment law",
        ["rédiger des contrats de travail", "un licenciement qui se passe mal"],
        ["draft employment contracts", "a dismissal that is going badly"],
    ),
    (
        "design graphique",
        "graphic design",
        ["refaire notre logo et notre charte graphique", "une affiche et des flyers pour le festival"],
        ["redo our logo and brand guidelines", "a poster and flyers for the festival"],
    ),
    (
        "développement web",
        "web development",
        ["un site de réservation en ligne", "refondre notre site internet vieillissant"],
        ["an online booking site", "rebuild our ageing website"],
    ),
    (
        "levée de fonds",
        "fundraising",
        ["lever des fonds auprès de business angels", "préparer notre tour de table de série A"],
        ["raise money from business angels", "prepare our series A round"],
    ),
    (
        "subventions européennes",
        "EU grants",
        ["monter un dossier FEDER", "répondre à un appel à projets Horizon Europe"],
        ["put together an ERDF application", "answer a Horizon Europe call"],
    ),
    (
        "facilitation",
        "facilitation",
        ["animer un séminaire de direction", "un atelier d'intelligence collective"],
        ["run a leadership away-day", "a collective intelligence workshop"],
    ),
    (
        "gouvernance partagée",
        "shared governance",
        ["passer en sociocratie", "clarifier qui décide quoi dans la coopérative"],
        ["move to sociocracy", "clarify who decides what in the co-op"],
    ),
    (
        "formation",
        "training",
        ["former nos managers à l'écoute", "un module de formation pour nos bénévoles"],
        ["train our managers to listen", "a training module for our volunteers"],
    ),
    (
        "recrutement",
        "recruitment",
        ["recruter un directeur financier", "trouver des profils techniques rares"],
        ["hire a finance director", "find scarce technical profiles"],
    ),
    (
        "relations presse",
        "press relations",
        ["obtenir des articles dans la presse régionale", "un communiqué pour notre lancement"],
        ["get coverage in the regional press", "a press release for our launch"],
    ),
    (
        "photographie",
        "photography",
        ["des portraits de l'équipe", "photographier nos produits pour le catalogue"],
        ["team portraits", "shoot our products for the catalogue"],
    ),
    (
        "traduction",
        "translation",
        ["traduire notre site en allemand", "la traduction de contrats anglais"],
        ["translate our website into German", "translating English contracts"],
    ),
    (
        "marchés publics",
        "public procurement",
        ["répondre à un appel d'offres de la région", "comprendre le code de la commande publique"],
        ["bid for a regional tender", "understand public procurement rules"],
    ),
    (
        "rénovation énergétique",
        "energy retrofit",
        ["isoler un bâtiment de bureaux", "un audit énergétique de nos locaux"],
        ["insulate an office building", "an energy audit of our premises"],
    ),
    (
        "agriculture biologique",
        "organic farming",
        ["convertir la ferme en bio", "un plan de rotation des cultures"],
        ["convert the farm to organic", "a crop rotation plan"],
    ),
    (
        "cybersécurité",
        "cybersecurity",
        ["sécuriser nos serveurs après une attaque", "sensibiliser l'équipe au hameçonnage"],
        ["secure our servers after an attack", "teach the team about phishing"],
    ),
    (
        "data science",
        "data science",
        ["analyser nos données de vente", "prévoir la fréquentation de nos sites"],
        ["analyse our sales data", "forecast visits to our sites"],
    ),
    (
        "gestion de projet",
        "project management",
        ["piloter un projet qui dérape", "mettre en place des méthodes agiles"],
        ["steer a project that is slipping", "set up agile methods"],
    ),
    (
        "économie circulaire",
        "circular economy",
        ["valoriser nos déchets de production", "passer à la location plutôt qu'à la vente"],
        ["turn our production waste into value", "move from selling to renting"],
    ),
    (
        "vidéo",
        "video production",
        ["un film de présentation de deux minutes", "filmer notre conférence annuelle"],
        ["a two-minute presentation film", "film our annual conference"],
    ),
    (
        "mobilité",
        "sustainable mobility",
        ["un plan de mobilité pour nos salariés", "des vélos cargo pour nos livraisons"],
        ["a travel plan for our staff", "cargo bikes for our deliveries"],
    ),
    (
        "propriété intellectuelle",
        "intellectual property",
        ["déposer notre marque", "protéger un brevet à l'international"],
        ["register our trademark", "protect a patent abroad"],
    ),
    (
        "expérience utilisateur",
        "user experience",
        ["tester notre application avec des usagers", "simplifier le parcours d'inscription"],
        ["test our app with users", "simplify the sign-up journey"],
    ),
    (
        "immobilier",
        "real estate",
        ["trouver des locaux commerciaux", "négocier le bail de notre boutique"],
        ["find commercial premises", "negotiate the lease on our shop"],
    ),
    (
        "export",
        "export",
        ["vendre nos produits au Québec", "trouver un distributeur en Allemagne"],
        ["sell our products in Canada", "find a distributor in Germany"],
    ),
    (
        "médiation",
        "mediation",
        ["un conflit entre associés", "apaiser les tensions dans l'équipe"],
        ["a dispute between partners", "ease tensions in the team"],
    ),
    (
        "paie",
        "payroll",
        ["externaliser la paie de quarante salariés", "les bulletins de paie et la DSN"],
        ["outsource payroll for forty staff", "payslips and payroll filings"],
    ),
    (
        "référencement",
        "search engine optimisation",
        ["remonter dans les résultats de Google", "des mots-clés pour notre boutique en ligne"],
        ["climb in Google's results", "keywords for our online shop"],
    ),
]

OFFERS_FR = [
    "J'accompagne les PME et les associations en {a} depuis dix ans.",
    "Indépendante en {a} ; je travaille souvent avec des collectivités et des coopératives.",
    "Je sais faire {a} de A à Z, et un peu de {b}.",
    "Premier rendez-vous gratuit pour parler de {a}.",
]
OFFERS_EN = [
    "I have helped small firms and charities with {a} for ten years.",
    "Independent {a} specialist; I often work with councils and co-ops.",
    "I do {a} end to end, and some {b}.",
    "A free first meeting to talk about {a}.",
]
HEADLINES_FR = ["Conseil en {a}", "{A}, {b}", "Spécialiste {a}"]
HEADLINES_EN = ["{A} consultant", "{A}, {b}", "{A} specialist"]
SUBJECTS_FR = ["Besoin d'aide : {need}", "{A} pour {org}", "Demande de devis — {a}", "Projet : {need}"]
SUBJECTS_EN = ["Help needed: {need}", "{A} for {org}", "Quote request — {a}", "Project: {need}"]
BODY_FR = (
    "Bonjour,\n\nJe vous écris au nom de {org}. Nous cherchons quelqu'un pour {need}, et plus largement "
    "pour nous accompagner en {a}. {extra} Pourrions-nous en parler la semaine prochaine ?\n\n"
    "Bien à vous,\n{name}"
)
BODY_EN = (
    "Hello,\n\nI am writing on behalf of {org}. We are looking for someone to {need}, and more broadly to "
    "help us with {a}. {extra} Could we talk next week?\n\nKind regards,\n{name}"
)
EXTRAS_FR = [
    "Le budget est validé par le conseil d'administration.",
    "L'échéance est serrée : fin du trimestre.",
    "Nous avons déjà essayé seuls, sans succès.",
    "Votre nom nous a été donné par un partenaire.",
]
EXTRAS_EN = [
    "The board has approved the budget.",
    "The deadline is tight: end of the quarter.",
    "We have tried on our own, without success.",
    "A partner gave us your name.",
]


def trade_name(index: int, lang: str) -> str:
    fr, en, _n_fr, _n_en = TRADES[index]
    return fr if lang == "fr" else en


def member_profile(rng: random.Random, trades: list[int]) -> dict[str, str]:
    """The profile fields of a member working in ``trades`` (one or two indexes)."""
    a, b = trades[0], trades[-1]
    fields = {
        "headline_fr": rng.choice(HEADLINES_FR).format(
            a=trade_name(a, "fr"), A=trade_name(a, "fr").capitalize(), b=trade_name(b, "fr")
        ),
        "headline_en": rng.choice(HEADLINES_EN).format(
            a=trade_name(a, "en"), A=trade_name(a, "en").capitalize(), b=trade_name(b, "en")
        ),
        "skills": ", ".join(trade_name(t, lang) for t in trades for lang in ("fr", "en")),
    }
    lang = rng.choice(("fr", "fr", "en"))
    template = rng.choice(OFFERS_FR if lang == "fr" else OFFERS_EN)
    fields["offers"] = template.format(a=trade_name(a, lang), b=trade_name(b, lang))
    fields["languages"] = rng.choice(("fr", "fr", "fr, en", "fr, en", "en"))
    return fields


def request_text(rng: random.Random, trade: int, lang: str, org: str, name: str) -> tuple[str, str]:
    """Subject and summary of a request in ``trade``."""
    _fr, _en, needs_fr, needs_en = TRADES[trade]
    need = rng.choice(needs_fr if lang == "fr" else needs_en)
    a = trade_name(trade, lang)
    subject = rng.choice(SUBJECTS_FR if lang == "fr" else SUBJECTS_EN).format(
        need=need, a=a, A=a[:1].upper() + a[1:], org=org
    )
    body = (BODY_FR if lang == "fr" else BODY_EN).format(
        org=org, need=need, a=a, extra=rng.choice(EXTRAS_FR if lang == "fr" else EXTRAS_EN), name=name
    )
    return subject, body
