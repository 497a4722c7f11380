"""Content cues, French and English: a few words a person would also notice ("asks for a meeting",
"mentions a budget"), read by the model as named columns and shown as reasons.

They are matched on a flattened copy of the text (lower case, punctuation as spaces, single spaces,
padded): single words through a set, phrases as substrings with their spaces (" rendez vous " cannot
match inside another word). A phrase ending without a space is a prefix (" accompagn" ≈ accompagn*).
Regular expressions with many alternatives were 20× slower here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cercle.triage.features import MailDoc

CUE_CHARS = 2500  # cues are looked for in the subject and this much of the text


@dataclass(frozen=True)
class Cue:
    words: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None


def _cue(words: str = "", phrases: tuple[str, ...] = (), pattern: str = "") -> Cue:
    return Cue(frozenset(words.split()), phrases, re.compile(pattern) if pattern else None)


CUES: dict[str, Cue] = {
    "meeting": _cue(
        "rdv rendez meeting meet visio visioconférence créneau disponibilités availability",
        (
            " vous rencontrer",
            " se rencontrer",
            " un appel ",
            " un échange ",
            " un court échange",
            " a call ",
            " catch up",
            " set up a time",
            " prendre un café",
            " échanger avec vous",
            " de vive voix",
            " available for ",
            " available to ",
            " disponible pour ",
            " get on a call",
            " a quick chat ",
        ),
    ),
    "budget": _cue(
        "budget budgets devis tarif tarifs honoraires quote quotation pricing fee fees rémunération enveloppe",
        (),
        r"\d ?(?:k€|€|k\$|\$|eur|euros|usd|dollars|k)(?: |$)|[€$£] ?\d",
    ),
    "deadline": _cue(
        "urgent urgence asap deadline échéance rapidement demain tomorrow",
        (
            " avant le ",
            " d'ici ",
            " au plus tard",
            " date limite",
            " as soon as possible",
            " dès que possible",
            " cette semaine",
            " this week",
            " next week",
            " la semaine prochaine",
            " by monday",
            " by tuesday",
            " by wednesday",
            " by thursday",
            " by friday",
            " by the end of",
            " before the end of",
            " fin du mois",
            " end of the month",
            " avant la fin",
        ),
    ),
    "ask": _cue(
        "pourriez accepteriez seriez keynote",
        (
            " nous cherchons",
            " nous recherchons",
            " nous souhaitons",
            " nous aimerions",
            " nous avons besoin",
            " je cherche",
            " je souhaite",
            " je voudrais",
            " j'aimerais",
            " pourrions nous",
            " vous serait il possible",
            " accompagn",
            " intervenir",
            " une conférence",
            " we are looking for",
            " we're looking for",
            " i am looking for",
            " we need",
            " we would like",
            " i would like",
            " could you",
            " would you be willing",
            " would you be available",
            " help us",
            " support us",
            " speak at",
            " advise us",
            " votre aide",
            " your help",
            " your advice",
            " vos conseils",
            " faire appel à vous",
        ),
    ),
    "pitch": _cue(
        "seo backlinks backlink leads roi",
        (
            " 15 minutes",
            " quick call",
            " quick chat",
            " book a demo",
            " schedule a demo",
            " our platform",
            " our solution",
            " our software",
            " our agency",
            " our tool",
            " notre plateforme",
            " notre solution",
            " notre agence",
            " notre outil",
            " notre logiciel",
            " boost your",
            " increase your",
            " grow your",
            " prospects ",
            " prospection",
            " i noticed that your",
            " i noticed your",
            " j'ai remarqué que votre",
            " j'ai vu que votre",
            " free trial",
            " essai gratuit",
            " démo gratuite",
            " free demo",
            " no obligation",
            " sans engagement",
            " the right person",
            " la bonne personne",
            " just following up",
            " je me permets de vous relancer",
            " générer plus",
            " more leads",
            " more clients",
            " plus de clients",
        ),
    ),
    "unsubscribe": _cue(
        "unsubscribe désinscrire désinscription désabonner désabonnement unsubscribed optout",
        (
            " opt out",
            " manage your preferences",
            " manage your subscription",
            " gérer vos préférences",
            " gérer mes préférences",
            " view in browser",
            " view it in your browser",
            " view this email in",
            " voir la version en ligne",
            " version en ligne",
            " you are receiving this",
            " vous recevez ce",
            " to be removed",
            " email preferences",
        ),
    ),
    "spammy": _cue(
        "winner gagnant viagra casino cheap guaranteed inheritance beneficiary lottery mortgage",
        (
            " click here",
            " cliquez ici",
            " 100% free",
            " 100% gratuit",
            " act now",
            " money back",
            " risk free",
            " million dollars",
            " $$$",
            " remove me",
            " removal instructions",
            " work from home",
            " limited time",
            " special offer",
            " offre spéciale",
            " order now",
            " credit card",
            " free money",
            " lowest price",
        ),
    ),
}

_FLATTEN = {ord(c): " " for c in '!"#&()*+,-./:;<=>?@[\\]^_`{|}~«»“”„·…–—\t\r\n\xa0'}
_FLATTEN[ord("’")] = "'"


def flatten(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces, one space at each end."""
    return " " + " ".join(text.lower().translate(_FLATTEN).split()) + " "


def _index_cues() -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """Phrases indexed by their first word, so a text only checks the phrases whose first word it has."""
    by_word: dict[str, list[tuple[str, str]]] = {}
    prefixes: list[tuple[str, str]] = []
    for name, cue in CUES.items():
        for phrase in cue.phrases:
            words = phrase.split()
            if not phrase.endswith(" ") and len(words) == 1:
                prefixes.append((name, words[0]))  # " accompagn": a word that starts so
            else:
                by_word.setdefault(words[0], []).append((name, phrase))
    return by_word, prefixes


_CUE_PHRASES, _CUE_PREFIXES = _index_cues()


def content_cues(doc: MailDoc) -> list[str]:
    """Which cues the subject and the start of the text show (each counted once)."""
    flat = flatten(f"{doc.subject}\n{doc.text[:CUE_CHARS]}")
    words = set(flat.split())
    found: set[str] = set()
    for name, cue in CUES.items():
        if not cue.words.isdisjoint(words):
            found.add(name)
    for word in words & _CUE_PHRASES.keys():
        for name, phrase in _CUE_PHRASES[word]:
            if name not in found and (phrase if phrase.startswith(" ") else " " + phrase) in flat:
                found.add(name)
    for name, prefix in _CUE_PREFIXES:
        if name not in found and f" {prefix}" in flat:
            found.add(name)
    for name, cue in CUES.items():
        if name not in found and cue.pattern is not None and cue.pattern.search(flat):
            found.add(name)
    return [name for name in CUES if name in found]
