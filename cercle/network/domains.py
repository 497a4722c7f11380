"""Mail domains that say nothing about a person's organisation (free mail and internet providers).

Used wherever an organisation is guessed from an address (the brief, sender rules, later the network's
organisations): "@gmail.com" is nobody's company, and a rule on it would catch everyone.
"""

from __future__ import annotations

FREEMAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.fr",
        "hotmail.com",
        "hotmail.fr",
        "outlook.com",
        "outlook.fr",
        "live.com",
        "live.fr",
        "msn.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "laposte.net",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.fr",
        "gmx.de",
        "aol.com",
        "yandex.com",
        "bbox.fr",
        "numericable.fr",
    ]
)
