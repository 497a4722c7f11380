"""Content of the demo hub: people and requests in French and English. Fictional, but realistic."""

from __future__ import annotations

LEADER = ("lea", "Léa", "Marchand", "lea.marchand@example.org", "fr")
SECOND = ("samuel", "Samuel", "Petit", "samuel.petit@example.org", "fr")
ADMIN = ("admin", "Alex", "Admin", "admin@example.org", "en")

# username, first name, last name, email, language, headline FR, headline EN, skills, capacity
MEMBERS = [
    (
        "claire",
        "Claire",
        "Dubois",
        "claire.dubois@example.org",
        "fr",
        "Conseil en transition écologique des PME",
        "Ecological transition consulting for SMEs",
        "transition écologique, bilan carbone, stratégie",
        3,
    ),
    (
        "karim",
        "Karim",
        "Benali",
        "karim.benali@example.org",
        "fr",
        "Facilitateur, gouvernance partagée",
        "Facilitator, shared governance",
        "facilitation, gouvernance, ateliers",
        2,
    ),
    (
        "ines",
        "Inès",
        "Moreau",
        "ines.moreau@example.org",
        "fr",
        "Designer graphique et identité visuelle",
        "Graphic designer, visual identity",
        "design graphique, identité visuelle, web",
        3,
    ),
    (
        "tom",
        "Tom",
        "Fischer",
        "tom.fischer@example.org",
        "en",
        "Développeur web, outils numériques sobres",
        "Web developer, low-tech digital tools",
        "développement web, Python, sobriété numérique",
        2,
    ),
    (
        "nadia",
        "Nadia",
        "Haddad",
        "nadia.haddad@example.org",
        "fr",
        "Financement de projets et subventions",
        "Project funding and grants",
        "financement, subventions, business plan",
        3,
    ),
    (
        "oliver",
        "Oliver",
        "Grant",
        "oliver.grant@example.org",
        "en",
        "Formateur, leadership régénératif",
        "Trainer, regenerative leadership",
        "formation, leadership, conférences",
        2,
    ),
]

# (language, name, email, organisation, subject, body)
REQUESTS = [
    (
        "fr",
        "Marc Lefèvre",
        "marc.lefevre@menuiserie-lefevre.fr",
        "Menuiserie Lefèvre",
        "Transformer notre menuiserie avec vous",
        "Bonjour,\n\nJe dirige une menuiserie de 25 personnes près de Nantes. Nous voulons engager la transition "
        "écologique de l'entreprise (matériaux, énergie, gouvernance) et je ne me sens rassuré de le faire qu'avec "
        "vous. Pourrions-nous en parler ? Nous avons un budget pour un accompagnement dès le printemps.\n\nMarc Lefèvre",
    ),
    (
        "fr",
        "Sophie Garnier",
        "s.garnier@mairie-saint-aubin.fr",
        "Mairie de Saint-Aubin",
        "Conférence sur le leadership régénératif",
        "Bonjour, la commune organise en mars une journée sur la résilience locale. Nous aimerions une conférence "
        "d'une heure sur le leadership régénératif. Quelles seraient vos conditions ? Cordialement, Sophie Garnier",
    ),
    (
        "en",
        "James Whitaker",
        "james@northfield-coop.co.uk",
        "Northfield Co-op",
        "Help redesigning our governance",
        "Hello,\n\nOur food co-operative has grown from 12 to 60 members and decisions have become painful. "
        "We are looking for someone to help us set up a shared governance model. Could we book a call next week?\n\nJames",
    ),
    (
        "fr",
        "Julie Roux",
        "julie.roux@atelier-roux.fr",
        "Atelier Roux",
        "Nouvelle identité visuelle pour notre atelier",
        "Bonjour, nous cherchons une graphiste pour refaire notre logo et notre site, en cohérence avec nos valeurs. "
        "Budget autour de 6 000 €. Échéance : fin janvier. Merci ! Julie",
    ),
    (
        "en",
        "Priya Nair",
        "priya.nair@greenloop.io",
        "GreenLoop",
        "Grant application for a circular economy pilot",
        "Hi, we are preparing an application for a regional circular economy grant (deadline in six weeks) and "
        "would value an experienced partner to review our business plan. Is this something your network does?",
    ),
    (
        "fr",
        "Antoine Mercier",
        "antoine@biocoop-mercier.fr",
        "Biocoop Mercier",
        "Atelier de facilitation pour notre équipe",
        "Bonjour Léa, suite à votre intervention à Lyon, nous aimerions un atelier d'une journée pour notre équipe "
        "de direction. Serait-ce possible en février ? Bien à vous, Antoine",
    ),
    (
        "en",
        "Laura Chen",
        "laura.chen@brightpath.org",
        "BrightPath Foundation",
        "Partnership on a leadership programme",
        "Dear Léa,\n\nBrightPath runs a leadership programme for 40 NGO directors. We would like to co-design a module "
        "on regenerative leadership with you and your circle. Can we set up a first meeting?\n\nBest, Laura",
    ),
    (
        "fr",
        "Nicolas Blanc",
        "nicolas.blanc@transports-blanc.fr",
        "Transports Blanc",
        "Bilan carbone et plan d'action",
        "Bonjour, notre entreprise de transport (80 salariés) doit réaliser un bilan carbone et surtout un plan "
        "d'action crédible. Nous avons entendu parler de vous par la CCI. Pouvez-vous nous aider ?",
    ),
    (
        "fr",
        "Élodie Fontaine",
        "elodie@tiers-lieu-fontaine.fr",
        "Tiers-lieu La Fontaine",
        "Outil numérique pour notre tiers-lieu",
        "Bonjour, nous cherchons quelqu'un pour nous aider à choisir ou développer un outil simple de réservation "
        "et d'adhésion, sobre et libre. Merci d'avance, Élodie",
    ),
    (
        "en",
        "Daniel Okafor",
        "d.okafor@riverside-school.org",
        "Riverside School",
        "Teacher training on climate education",
        "Hello, our school would like a two-day training for teachers on climate education and facilitation. "
        "Do you or someone in your network offer this?",
    ),
    (
        "fr",
        "Camille Perrin",
        "camille.perrin@lesjardinsduval.fr",
        "Les Jardins du Val",
        "Recherche de financements pour une ferme pédagogique",
        "Bonjour, nous lançons une ferme pédagogique et cherchons à monter un dossier de subventions. Votre réseau "
        "pourrait-il nous accompagner ? Nous avons un premier budget de 3 000 €.",
    ),
    (
        "en",
        "Hannah Schultz",
        "hannah@alpine-retreats.de",
        "Alpine Retreats",
        "Keynote for our spring retreat",
        "Hi Léa, we host a retreat for 120 founders in April and would love a keynote on regenerative leadership. "
        "Happy to discuss fees and travel.",
    ),
    (
        "fr",
        "Paul Girard",
        "paul.girard@girard-associes.fr",
        "Girard & Associés",
        "Accompagnement d'une fusion entre deux associations",
        "Bonjour, deux associations de notre territoire envisagent de fusionner. Nous cherchons un facilitateur "
        "pour accompagner le processus sur six mois. Pourriez-vous nous orienter ?",
    ),
    (
        "en",
        "Maria Rossi",
        "maria.rossi@slowfood-torino.it",
        "Slow Food Torino",
        "Looking for a designer for our campaign",
        "Dear team, we need a graphic designer for a three-month awareness campaign. Budget is set. Could someone "
        "from your circle contact us?",
    ),
]

SOLICITATIONS = [
    (
        "en",
        "Growth Team",
        "growth@leadgen-rocket.com",
        "LeadGen Rocket",
        "10x your LinkedIn leads in 30 days",
        "Hi there, we help coaches like you get 50+ qualified leads per month. Can I send you a 3-minute video?",
    ),
    (
        "fr",
        "Service commercial",
        "contact@seo-boost-pro.fr",
        "SEO Boost Pro",
        "Votre site en première page de Google",
        "Bonjour, nous avons analysé votre site et pouvons le placer en première page. Offre spéciale ce mois-ci.",
    ),
    (
        "en",
        "Newsletter",
        "news@futureofwork.media",
        "Future of Work Media",
        "This week in the future of work",
        "Top stories this week: remote work, AI and leadership. Unsubscribe at any time.",
    ),
    (
        "fr",
        "Notifications",
        "no-reply@plateforme-evenements.fr",
        "Plateforme Événements",
        "Rappel : votre événement commence demain",
        "Ceci est un message automatique. Votre inscription est confirmée.",
    ),
    (
        "en",
        "Crypto Deals",
        "deals@crypto-win.biz",
        "",
        "You have been selected!!!",
        "Congratulations, claim your reward now by clicking this link.",
    ),
    (
        "fr",
        "Agence Visibilité",
        "bonjour@agence-visibilite.fr",
        "Agence Visibilité",
        "Partenariat sponsorisé sur votre podcast",
        "Bonjour, nous représentons plusieurs marques qui souhaiteraient sponsoriser vos contenus. Un appel ?",
    ),
]

# A message written on LinkedIn, as LinkedIn's notification mail brings it into Léa's mailbox: the
# request is the person's, not LinkedIn's (name, headline, profile, then their own words).
LINKEDIN_MESSAGE = (
    "Nathalie Garnier",
    "Directrice générale chez Maison Garnier",
    "nathalie-garnier-5c2e1a",
    "Bonjour Léa, je dirige une maison de négoce familiale de quarante personnes et nous préparons "
    "la transmission à la génération suivante d'ici deux ans. Un ancien client m'a parlé de votre cercle. "
    "Seriez-vous disponible pour un premier échange en janvier ?",
)
