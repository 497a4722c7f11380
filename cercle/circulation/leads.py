"""What kind of lead a request is: said on the request page, or guessed from its words.

The guess is one small rule anybody can check: the first kind of `LEAD_WORDS` one of whose words
appears in the request's subject or summary (in any case, inside a longer word too: "partenariat"
matches "partenariats"). Nothing matches: the kind stays unsaid. A kind set by a person always wins.

The same rule runs in Python (`lead_kind_guess`, for the request page: "guessed from the word …") and
in SQL (`lead_kind_effective`, for the debrief, which counts in the database). The words are plain
ASCII so that both agree whatever the database's case rules for accented letters.
"""

from __future__ import annotations

from django.db.models import Case, F, Q, Value, When
from django.db.models.fields import CharField

from cercle.circulation.models import LeadKind

# In this order: the first kind with a word in the request wins.
LEAD_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (LeadKind.PARTNERSHIP, ("partenariat", "partenaire", "partnership", "partner")),
    (LeadKind.JOB, ("recrutement", "recruit", "hiring", "candidature", "emploi", "job", "cdi")),
    (LeadKind.SUPPLIER, ("fournisseur", "supplier", "vendor", "prestataire")),
    (LeadKind.CLIENT, ("devis", "quote", "quotation")),
)


def lead_kind_guess(*texts: str) -> tuple[str, str]:
    """(kind, the word that decided it) for these texts, or ("", "") when no word of the rule is there."""
    text = " ".join(texts).lower()
    for kind, words in LEAD_WORDS:
        for word in words:
            if word in text:
                return str(kind), word
    return "", ""


def lead_kind_effective() -> Case:
    """A request's kind of lead as an SQL expression: the one a person set, else the rule's guess, else ""."""
    whens = [When(~Q(lead_kind=""), then=F("lead_kind"))]
    for kind, words in LEAD_WORDS:
        match = Q()
        for word in words:
            match |= Q(subject__icontains=word) | Q(summary__icontains=word)
        whens.append(When(match, then=Value(str(kind))))
    return Case(*whens, default=Value(""), output_field=CharField())
