"""Content of the demo network: the people of Léa's mailbox, what they do and what they write about.

Fictional people and organisations (domains included), French first, some English-speaking. The
generator (`network.py`) draws from these lists with a seeded random, so the demo is the same each time.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Trade:
    """A line of work: where such people work and how the team writes about them."""

    positions: tuple[str, ...]  # "masculine|feminine" where French tells them apart
    orgs: tuple[tuple[str, str], ...]  # (organisation, mail domain)
    what: tuple[str, ...]  # what they do, one sentence ("masculine|feminine" likewise)
    offers: tuple[str, ...]  # problems they solve (two or three are drawn)
    tags: tuple[str, ...]
    subjects: tuple[str, ...]  # what mail with them is about
    needs: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what the leader or the second wrote about one of them
    own: str = ""  # the name of their own firm when they work on their own ("{last} Conseil")


FR_TRADES: dict[str, Trade] = {
    "carbone": Trade(
        own="{last} Conseil",
        positions=(
            "Consultant bilan carbone|Consultante bilan carbone",
            "Consultant climat|Consultante climat",
            "Ingénieur énergie-climat|Ingénieure énergie-climat",
        ),
        orgs=(
            ("Empreinte Conseil", "empreinte-conseil.fr"),
            ("Atelier Climat", "atelier-climat.fr"),
            ("Sobriété & Co", "sobriete-co.fr"),
        ),
        what=(
            "Réalise des bilans carbone et des plans de transition pour des PME industrielles.",
            "Accompagne les collectivités et les PME dans leur bilan carbone et leur stratégie climat.",
        ),
        offers=(
            "Bilan carbone (scopes 1 à 3, méthode Bilan Carbone)",
            "Plan de transition bas-carbone chiffré",
            "Accompagnement CSRD et reporting extra-financier",
            "Fresques du Climat pour les équipes",
        ),
        tags=("climat", "bilan carbone", "RSE", "CSRD"),
        subjects=(
            "Bilan carbone : premiers résultats",
            "Devis bilan carbone",
            "Données du scope 3",
            "CSRD : on en parle ?",
            "Fresque du Climat pour l'équipe",
        ),
        needs=(
            "Des PME de l'agroalimentaire prêtes à se lancer",
            "Un développeur pour automatiser la collecte des données",
        ),
        notes=(
            "A fait le bilan carbone de deux clients du cercle, très bons retours. À recommander.",
            "Pourrait reprendre le scope 3 du bilan carbone de Transports Blanc.",
        ),
    ),
    "finance": Trade(
        own="{last} Finance",
        positions=(
            "Associé, levée de fonds|Associée, levée de fonds",
            "Chargé d'affaires impact|Chargée d'affaires impact",
            "Business angel",
            "Directeur financier à temps partagé|Directrice financière à temps partagé",
        ),
        orgs=(
            ("Racines Capital", "racines-capital.fr"),
            ("Le Fonds Commun", "lefondscommun.fr"),
            ("Finance Solidaire Ouest", "fso-finance.fr"),
        ),
        what=(
            "Accompagne les entreprises à impact dans leur levée de fonds, de l'amorçage à la série A.",
            "Investit dans des entreprises de l'économie circulaire et siège à leurs comités stratégiques.",
        ),
        offers=(
            "Levée de fonds (amorçage, série A) pour des entreprises à impact",
            "Préparer un pitch deck et un prévisionnel crédible",
            "Mise en relation avec des business angels",
            "Financement participatif",
        ),
        tags=("finance", "levée de fonds", "investissement", "impact"),
        subjects=(
            "Levée de fonds : deck v3",
            "Présentation à des business angels",
            "Prévisionnel à trois ans",
            "Comité d'investissement de jeudi",
        ),
        needs=("Des dossiers d'entreprises de l'économie circulaire", "Un avocat pour les pactes d'associés"),
        notes=(
            "A aidé une coopérative à lever 800 k€ : connaît tous les fonds à impact de l'Ouest.",
            "Franc et exigeant sur les chiffres, mais très disponible pour relire un prévisionnel.",
        ),
    ),
    "traduction": Trade(
        own="{last} Traduction",
        positions=(
            "Traducteur juridique FR-EN|Traductrice juridique FR-EN",
            "Traducteur technique|Traductrice technique",
            "Interprète de conférence",
        ),
        orgs=(("Lingua Juris", "lingua-juris.fr"), ("Passerelles Traduction", "passerelles-traduction.fr")),
        what=(
            "Traduit des contrats, des statuts et des conditions générales, du français vers l'anglais.",
            "Traducteur et interprète pour des séminaires internationaux et des conseils d'administration.|Traductrice et interprète pour des séminaires internationaux et des conseils d'administration.",
        ),
        offers=(
            "Traduction juridique français-anglais (contrats, statuts, CGV)",
            "Traduction technique et relecture",
            "Interprétation de conférence (simultanée et consécutive)",
        ),
        tags=("traduction", "anglais", "juridique", "interprétation"),
        subjects=(
            "Traduction des statuts en anglais",
            "Devis traduction juridique",
            "Relecture du contrat",
            "Interprétation pour le séminaire",
        ),
        notes=("Traduction impeccable des statuts de la SCIC, livrée en avance.",),
    ),
    "recrutement": Trade(
        own="{last} Recrutement",
        positions=(
            "Chasseur de têtes tech|Chasseuse de têtes tech",
            "Responsable recrutement",
            "Consultant en recrutement|Consultante en recrutement",
        ),
        orgs=(("Tech & Talents", "techtalents.fr"), ("Cap Recrutement", "cap-recrutement.fr")),
        what=(
            "Recrute des développeurs et des profils data pour des start-up et des PME engagées.",
            "Cabinet de recrutement spécialisé dans les métiers de la transition écologique.",
        ),
        offers=(
            "Recrutement de développeurs (Python, JavaScript, data)",
            "Recrutement de profils RSE et transition",
            "Structurer un processus d'embauche",
        ),
        tags=("recrutement", "RH", "tech"),
        subjects=("Profils de développeurs Python", "Fiche de poste lead dev", "Recrutement : point mensuel"),
        needs=("Des start-up à impact qui recrutent",),
        notes=("Nous a trouvé deux développeurs en trois semaines pour un projet de Tom.",),
    ),
    "design": Trade(
        own="Studio {last}",
        positions=(
            "Designer de services",
            "UX designer",
            "Directeur de studio de design|Directrice de studio de design",
        ),
        orgs=(("Studio Usages", "studio-usages.fr"), ("La Fabrique des Services", "fabrique-services.fr")),
        what=(
            "Conçoit des services publics et associatifs avec leurs usagers.",
            "Studio de design de services et de recherche utilisateur.",
        ),
        offers=(
            "Design de services publics et associatifs",
            "Recherche utilisateur (entretiens, tests)",
            "Ateliers de co-conception avec les usagers",
        ),
        tags=("design de services", "UX", "innovation publique"),
        subjects=("Design de services : atelier usagers", "Parcours usager", "Restitution des entretiens"),
        needs=("Des collectivités qui veulent repenser un service",),
    ),
    "droit": Trade(
        own="Cabinet {last}",
        positions=(
            "Avocat en droit des sociétés|Avocate en droit des sociétés",
            "Avocat, économie sociale et solidaire|Avocate, économie sociale et solidaire",
            "Juriste",
        ),
        orgs=(("Cabinet Vasseur Avocats", "vasseur-avocats.fr"), ("Lexicoop", "lexicoop.fr")),
        what=(
            "Avocat des coopératives et des associations : statuts, gouvernance, contrats.|Avocate des coopératives et des associations : statuts, gouvernance, contrats.",
            "Conseille les entreprises qui changent de statut ou ouvrent leur capital.",
        ),
        offers=(
            "Statuts de SCIC et de SCOP",
            "Pactes d'associés",
            "Droit des associations et des fondations",
            "Contrats commerciaux",
        ),
        tags=("droit", "juridique", "coopératives", "statuts"),
        subjects=("Projet de statuts SCIC", "Pacte d'associés : commentaires", "Question juridique rapide"),
    ),
    "compta": Trade(
        own="Cabinet {last}",
        positions=("Expert-comptable", "Commissaire aux comptes", "Comptable"),
        orgs=(
            ("Cabinet Roussel & Associés", "roussel-expertise.fr"),
            ("Compta Solidaire", "compta-solidaire.fr"),
        ),
        what=(
            "Expert-comptable des associations et des coopératives.",
            "Tient la comptabilité et les déclarations de petites entreprises de l'ESS.",
        ),
        offers=(
            "Comptabilité et fiscalité des associations",
            "Passage en coopérative : aspects comptables et fiscaux",
            "Tableaux de bord financiers",
        ),
        tags=("comptabilité", "fiscalité", "ESS"),
        subjects=("Clôture des comptes", "TVA sur les formations", "Budget prévisionnel"),
    ),
    "facilitation": Trade(
        own="{last} Facilitation",
        positions=(
            "Facilitateur|Facilitatrice",
            "Consultant en gouvernance partagée|Consultante en gouvernance partagée",
            "Coach d'équipe",
        ),
        orgs=(("Cercles Vivants", "cercles-vivants.fr"), ("L'Art de Décider", "artdedecider.fr")),
        what=(
            "Facilite des séminaires et accompagne les équipes vers une gouvernance partagée.",
            "Anime des ateliers d'intelligence collective pour des associations et des PME.",
        ),
        offers=(
            "Gouvernance partagée (sociocratie, holacratie)",
            "Animation de séminaires et d'ateliers",
            "Médiation dans les équipes en tension",
        ),
        tags=("facilitation", "gouvernance", "intelligence collective"),
        subjects=("Séminaire de juin : déroulé", "Atelier gouvernance", "Débrief du séminaire"),
        needs=("Un lieu pour des séminaires au vert",),
    ),
    "dev": Trade(
        own="{last} Numérique",
        positions=(
            "Développeur web freelance|Développeuse web freelance",
            "CTO",
            "Développeur Python|Développeuse Python",
        ),
        orgs=(("Codeurs Libres", "codeurs-libres.fr"), ("Numérique Sobre", "numerique-sobre.fr")),
        what=(
            "Développe des applications web sobres et accessibles pour des associations.",
            "Développeur Python, outils internes et intégrations pour des PME.|Développeuse Python, outils internes et intégrations pour des PME.",
        ),
        offers=(
            "Développement d'applications web (Django, Vue)",
            "Sites sobres et accessibles",
            "Automatisation de tâches et intégrations",
        ),
        tags=("développement", "web", "logiciel libre"),
        subjects=("Maquette de l'outil", "Mise en ligne du site", "Bug sur le formulaire"),
        needs=("Des missions longues à trois jours par semaine",),
    ),
    "presse": Trade(
        own="{last} Communication",
        positions=("Attaché de presse|Attachée de presse", "Responsable communication", "Journaliste"),
        orgs=(
            ("Agence Mots Justes", "motsjustes.fr"),
            ("Le Journal des Transitions", "journal-transitions.fr"),
        ),
        what=(
            "Relations presse et communication pour des acteurs de la transition.",
            "Journaliste indépendant, écrit sur le travail et l'économie sociale.|Journaliste indépendante, écrit sur le travail et l'économie sociale.",
        ),
        offers=(
            "Relations presse",
            "Stratégie de communication pour les associations",
            "Rédaction et storytelling",
        ),
        tags=("communication", "presse", "médias"),
        subjects=("Communiqué de presse : relecture", "Demande d'interview", "Article sur les tiers-lieux"),
        needs=("Des témoignages de dirigeants engagés",),
    ),
    "territoire": Trade(
        positions=(
            "Chargé de mission transition écologique|Chargée de mission transition écologique",
            "Directeur du développement économique|Directrice du développement économique",
            "Élu à l'économie sociale et solidaire|Élue à l'économie sociale et solidaire",
        ),
        orgs=(
            ("Communauté de communes du Val d'Erdre", "cc-valderdre.fr"),
            ("Agglomération Loire Océan", "agglo-loire-ocean.fr"),
            ("Mairie de Beaulieu-sur-Loire", "mairie-beaulieu.fr"),
        ),
        what=(
            "Pilote le plan climat du territoire et l'accompagnement des entreprises locales.",
            "Accompagne le développement des entreprises et de l'emploi sur le territoire.",
        ),
        offers=(
            "Connaissance des appels à projets locaux",
            "Mise en relation avec les acteurs du territoire",
        ),
        tags=("collectivité", "territoire", "politiques publiques"),
        subjects=(
            "Rencontres de la transition : programme",
            "Appel à projets économie circulaire",
            "Comité de pilotage",
        ),
        needs=(
            "Des intervenants pour les rencontres de la transition",
            "Des entreprises pour un programme d'accompagnement",
        ),
    ),
    "subventions": Trade(
        own="{last} Financements",
        positions=(
            "Consultant fonds européens|Consultante fonds européens",
            "Chargé de financement|Chargée de financement",
            "Responsable mécénat",
        ),
        orgs=(
            ("Europa Projets", "europa-projets.eu"),
            ("Fondation Terres Communes", "fondation-terrescommunes.org"),
        ),
        what=(
            "Monte des dossiers de financement européens et nationaux pour des projets de transition.",
            "Cherche des financements et des mécènes pour des projets d'intérêt général.",
        ),
        offers=(
            "Montage de dossiers FEDER et LIFE",
            "Subventions ADEME et Bpifrance",
            "Recherche de mécénat",
        ),
        tags=("subventions", "financement", "Europe", "mécénat"),
        subjects=("Dossier FEDER : pièces manquantes", "Appel LIFE", "Mécénat : pistes"),
    ),
    "batiment": Trade(
        positions=("Architecte", "Thermicien|Thermicienne", "Conducteur de travaux|Conductrice de travaux"),
        orgs=(("Atelier Terre & Bois", "terre-et-bois-archi.fr"), ("BET Thermia", "thermia-bet.fr")),
        what=(
            "Architecte de bâtiments en matériaux biosourcés et de rénovations énergétiques.",
            "Bureau d'études thermiques : audits et rénovation de bâtiments tertiaires.",
        ),
        offers=(
            "Rénovation énergétique de bâtiments tertiaires",
            "Construction en matériaux biosourcés",
            "Audit énergétique",
        ),
        tags=("bâtiment", "rénovation", "énergie"),
        subjects=("Visite du bâtiment", "Audit énergétique", "Plans du tiers-lieu"),
    ),
    "agriculture": Trade(
        positions=(
            "Maraîcher bio|Maraîchère bio",
            "Coordinateur d'un réseau de circuits courts|Coordinatrice d'un réseau de circuits courts",
            "Éleveur|Éleveuse",
        ),
        orgs=(("Les Paniers du Coin", "paniersducoin.fr"), ("Ferme de la Source", "ferme-de-la-source.fr")),
        what=(
            "Maraîchage bio et vente en circuits courts.",
            "Coordonne un réseau de producteurs qui livre la restauration collective.",
        ),
        offers=("Approvisionnement local pour la restauration collective", "Accueil de visites pédagogiques"),
        tags=("agriculture", "alimentation", "circuits courts"),
        subjects=("Livraison de jeudi", "Visite de la ferme", "Projet de légumerie"),
        needs=("Financer une légumerie", "Un comptable qui connaît l'agriculture"),
    ),
    "formation": Trade(
        own="{last} Formation",
        positions=(
            "Formateur|Formatrice",
            "Responsable pédagogique",
            "Directeur d'un organisme de formation|Directrice d'un organisme de formation",
        ),
        orgs=(
            ("Campus des Transitions", "campus-transitions.fr"),
            ("Institut Graines", "institut-graines.fr"),
        ),
        what=(
            "Conçoit et anime des formations au management responsable.",
            "Dirige un organisme de formation certifié.",
        ),
        offers=(
            "Conception de formations (présentiel et distanciel)",
            "Certification Qualiopi",
            "Formation au management",
        ),
        tags=("formation", "pédagogie", "management"),
        subjects=("Programme de la formation", "Qualiopi", "Évaluations des stagiaires"),
        needs=("Des formateurs sur la gouvernance partagée",),
    ),
    "circulaire": Trade(
        positions=(
            "Responsable réemploi",
            "Fondateur d'une ressourcerie|Fondatrice d'une ressourcerie",
            "Chargé d'écoconception|Chargée d'écoconception",
        ),
        orgs=(("Ressourcerie La Boucle", "ressourcerie-laboucle.fr"), ("Circul'R", "circulr.fr")),
        what=(
            "Fait vivre une ressourcerie et des chantiers de réemploi.",
            "Accompagne les marques vers l'écoconception.",
        ),
        offers=(
            "Réemploi de matériaux du bâtiment",
            "Gestion des déchets et biodéchets",
            "Écoconception d'emballages",
        ),
        tags=("économie circulaire", "réemploi", "déchets"),
        subjects=("Collecte de mobilier", "Gisement de matériaux", "Journée portes ouvertes"),
        needs=("Un local plus grand", "Une levée de fonds pour un deuxième site"),
    ),
    "photo": Trade(
        own="Studio {last}",
        positions=("Photographe", "Vidéaste", "Réalisateur|Réalisatrice"),
        orgs=(("Lumière Franche", "lumiere-franche.fr"),),
        what=("Photographe d'événements et de portraits.", "Réalise des films courts pour des associations."),
        offers=(
            "Reportage photo d'événements",
            "Films institutionnels courts",
            "Portraits pour les sites web",
        ),
        tags=("photo", "vidéo", "image"),
        subjects=("Photos du séminaire", "Montage de la vidéo", "Devis tournage"),
    ),
    "banque": Trade(
        positions=(
            "Chargé de clientèle associations|Chargée de clientèle associations",
            "Conseiller entreprises|Conseillère entreprises",
        ),
        orgs=(
            ("Banque Coopérative de l'Ouest", "bco-banque.fr"),
            ("Crédit Solidaire", "credit-solidaire.fr"),
        ),
        what=("Finance les associations et les entreprises de l'économie sociale.",),
        offers=("Prêts aux entreprises de l'ESS", "Garanties et prêts d'honneur"),
        tags=("banque", "financement", "ESS"),
        subjects=("Demande de prêt : pièces", "Garantie du prêt", "Rendez-vous annuel"),
    ),
    "recherche": Trade(
        positions=(
            "Maître de conférences en sociologie",
            "Chercheur en économie écologique|Chercheuse en économie écologique",
        ),
        orgs=(("Université Loire-Atlantique", "univ-loire-atlantique.fr"),),
        what=(
            "Enseigne et cherche sur le travail coopératif.",
            "Travaille sur la sobriété et l'économie écologique.",
        ),
        offers=(
            "Études d'impact social",
            "Enquêtes et entretiens qualitatifs",
            "Conférences sur la sobriété",
        ),
        tags=("recherche", "université", "impact social"),
        subjects=("Étude d'impact : questionnaire", "Invitation au colloque", "Article à relire"),
        needs=("Des terrains d'enquête dans des coopératives",),
    ),
    "evenement": Trade(
        positions=(
            "Organisateur d'événements|Organisatrice d'événements",
            "Directeur d'un festival|Directrice d'un festival",
        ),
        orgs=(
            ("Festival Les Racines", "festival-lesracines.fr"),
            ("Ensemble Événements", "ensemble-evenements.fr"),
        ),
        what=("Organise des séminaires et des festivals à faible impact.",),
        offers=("Organisation de séminaires responsables", "Événements zéro déchet"),
        tags=("événementiel", "séminaires"),
        subjects=("Séminaire de rentrée : lieux", "Devis traiteur", "Festival : programmation"),
        needs=("Le bilan carbone du festival",),
    ),
    "tierslieu": Trade(
        positions=(
            "Directeur de tiers-lieu|Directrice de tiers-lieu",
            "Animateur de communauté|Animatrice de communauté",
        ),
        orgs=(("Tiers-lieu La Verrière", "laverriere.org"), ("Le Hangar Commun", "hangarcommun.fr")),
        what=("Fait vivre un tiers-lieu : coworking, ateliers, événements.",),
        offers=("Location d'espaces de réunion", "Animation de communauté"),
        tags=("tiers-lieu", "communauté", "coworking"),
        subjects=("Réservation de la salle", "Résidence d'entrepreneurs", "Soirée des membres"),
        needs=("Un outil de réservation simple", "Des animateurs d'ateliers"),
    ),
    "coaching": Trade(
        own="{last} Coaching",
        positions=("Coach de dirigeants", "Psychologue du travail"),
        orgs=(("Cap Humain", "cap-humain.fr"),),
        what=("Accompagne des dirigeants qui transforment leur entreprise.",),
        offers=(
            "Accompagnement de dirigeants en transition",
            "Prévention de l'épuisement professionnel",
            "Qualité de vie au travail",
        ),
        tags=("coaching", "management", "santé au travail"),
        subjects=("Séance de jeudi", "Programme QVT"),
    ),
}

EN_TRADES: dict[str, Trade] = {
    "carbon": Trade(
        positions=("Carbon accounting consultant", "Sustainability lead"),
        orgs=(
            ("Greenprint Advisory", "greenprint-advisory.co.uk"),
            ("Low Carbon Partners", "lowcarbonpartners.com"),
        ),
        what=("Measures carbon footprints and builds net zero plans for manufacturers.",),
        offers=(
            "Carbon footprint assessments (GHG Protocol, scopes 1 to 3)",
            "Net zero transition plans",
            "Sustainability reporting (CSRD, ESRS)",
        ),
        tags=("climate", "carbon footprint", "CSRD"),
        subjects=("Carbon footprint: first results", "Scope 3 data", "CSRD readiness call"),
    ),
    "funding": Trade(
        positions=("Impact investor", "Venture partner", "Angel investor"),
        orgs=(("Tidewater Ventures", "tidewater.vc"), ("Commons Capital", "commonscapital.org.uk")),
        what=("Invests in early-stage climate and social start-ups across Europe.",),
        offers=(
            "Fundraising for impact start-ups (seed, Series A)",
            "Investor introductions",
            "Pitch deck reviews",
        ),
        tags=("fundraising", "investment", "impact"),
        subjects=("Deck review", "Intro to our partners", "Investment committee notes"),
    ),
    "translation": Trade(
        positions=("Legal translator (French to English)", "Conference interpreter"),
        orgs=(("Clearword Translations", "clearword.co.uk"),),
        what=("Translates contracts and articles of association from French into English.",),
        offers=(
            "Legal translation from French to English",
            "Interpreting for conferences and board meetings",
        ),
        tags=("translation", "legal", "interpreting"),
        subjects=("Translation of the bylaws", "Quote for the translation", "Interpreting in Lyon"),
    ),
    "hiring": Trade(
        positions=("Tech recruiter", "Talent partner"),
        orgs=(("Brightside Talent", "brightside-talent.com"),),
        what=("Recruits software developers for mission-driven companies.",),
        offers=("Hiring software developers", "Executive search for NGOs"),
        tags=("recruitment", "tech", "hiring"),
        subjects=("Developer shortlist", "Role description"),
    ),
    "servicedesign": Trade(
        positions=("Service designer", "Design researcher"),
        orgs=(("Common Room Studio", "commonroom.studio"),),
        what=("Designs public services with the people who use them.",),
        offers=("Service design for public services", "User research and usability testing"),
        tags=("service design", "user research"),
        subjects=("Workshop with residents", "Research findings"),
    ),
    "philanthropy": Trade(
        positions=("Programme officer", "Foundation director"),
        orgs=(("Ashdown Foundation", "ashdown-foundation.org"), ("Northern Lights Trust", "nltrust.org.uk")),
        what=("Funds community energy and food projects in the UK and France.",),
        offers=("Grants for community energy", "Advice on grant applications"),
        tags=("philanthropy", "grants", "foundation"),
        subjects=("Grant round timeline", "Application feedback", "Site visit in Nantes"),
        needs=("French partners for a European programme",),
    ),
    "leadership": Trade(
        positions=("Leadership coach", "Facilitator"),
        orgs=(("Wildwood Leadership", "wildwoodleadership.co.uk"),),
        what=("Runs leadership programmes for NGO and co-op directors.",),
        offers=("Regenerative leadership programmes", "Facilitating strategy retreats"),
        tags=("leadership", "facilitation", "coaching"),
        subjects=("Retreat design", "Co-teaching in the spring", "Participant feedback"),
    ),
    "coop": Trade(
        positions=("Co-op development officer", "Community shares adviser"),
        orgs=(("Co-op Futures", "coopfutures.org.uk"),),
        what=("Helps businesses convert to co-operatives and raise community shares.",),
        offers=("Converting businesses to co-operatives", "Community share offers"),
        tags=("co-operatives", "governance", "community shares"),
        subjects=("Conversion toolkit", "Community share offer launch"),
    ),
    "media": Trade(
        positions=("Journalist", "Podcast host"),
        orgs=(("The New Work Review", "newworkreview.com"),),
        what=("Writes and podcasts about the future of work and co-operatives.",),
        offers=("Articles on the future of work", "Podcast interviews"),
        tags=("media", "podcast", "journalism"),
        subjects=("Interview request", "Episode recording", "Draft article"),
        needs=("French guests for the podcast",),
    ),
    "academic": Trade(
        positions=("Lecturer in sustainability", "Research fellow"),
        orgs=(("University of Bristol Green Lab", "bristol-greenlab.ac.uk"),),
        what=("Teaches and researches sustainable organisations.",),
        offers=("Impact evaluation", "Guest lectures on degrowth"),
        tags=("research", "university", "evaluation"),
        subjects=("Guest lecture", "Evaluation framework", "Paper draft"),
    ),
}


def _names(text: str) -> tuple[str, ...]:
    """Names written one after the other ("Le_Gall": one name of two words)."""
    return tuple(name.replace("_", " ") for name in text.split())


# First names with a grammatical gender (French how-we-met sentences agree with it).
FR_WOMEN = _names(
    "Camille Manon Chloé Sarah Emma Julie Pauline Marie Anne Aurélie Élise Mathilde Lucie Charlotte Céline "
    "Nathalie Sandrine Isabelle Sophie Amandine Margaux Agathe Justine Laure Juliette Fanny Noémie Valérie "
    "Delphine Émilie Coralie Fatima Leïla Amina Mélanie Bérénice Anaïs Maud Solène Gaëlle Estelle Rachel Zoé "
    "Clémence Héloïse Marion Audrey Virginie Karine"
)
FR_MEN = _names(
    "Thomas Nicolas Julien Maxime Guillaume Pierre Alexandre Romain Sébastien Florian Vincent Benoît Olivier "
    "Jérôme Laurent François Mathieu Damien Arnaud Cédric Hugo Lucas Théo Quentin Bastien Yann Gaël Loïc Hervé "
    "Philippe Stéphane Rémi Adrien Mehdi Youssef Rachid Samir Bruno Xavier Fabien Grégoire Clément Baptiste "
    "Tristan Erwan Jean-Marc Pierre-Yves Éric"
)
FR_LAST = _names(
    "Martin Bernard Robert Richard Durand Leroy Simon Lefebvre Michel Garcia David Bertrand Vincent Fournier "
    "Lambert Bonnet Martinez Legrand Faure Rousseau Guérin Muller Henry Morin Clément Gauthier Dumont Lopez "
    "Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Roger Roche Noël Meyer Meunier "
    "Perez Dufour Blanchard Brun Dumas Brunet Schmitt Leroux Colin Fernandez Renard Arnaud Rolland Aubert "
    "Giraud Leclerc Vidal Bourgeois Renaud Picard Gaillard Lacroix Dupuis Hubert Guillot Rivière Le_Gall Adam "
    "Rey Moulin Berger Lecomte Ménard Fleury Deschamps Maillard Marchal Aubry Vasseur Le_Roux Jacquet Collet "
    "Prévost Poirier Charpentier Royer Huet Baron Dupuy Pons Carré Breton Rémy Schneider Perrot Guyot Marty "
    "Cousin Bensaïd Khelifi Ouali Diallo Traoré Ndiaye Koné Le_Bihan Kerouac Tanguy Ollivier Besnard Hamon"
)
EN_WOMEN = _names(
    "Emily Olivia Sophie Charlotte Rachel Amelia Lucy Jessica Rebecca Chloe Isabel Fiona Megan Aisha Zoe Kate "
    "Anna Ruth Eleanor Harriet"
)
EN_MEN = _names(
    "Jack Harry George William Daniel Matthew Samuel Alex Ben Joe Luke Adam Ryan Owen Rory Callum Niall Ethan Marcus David"
)
EN_LAST = _names(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White Roberts "
    "Green Hall Wood Jackson Clarke Patel Khan Lewis Phillips Mason Mitchell Rose Cox Harrison Murphy O'Brien "
    "Kelly Fraser Campbell Stewart MacLeod Hughes Edwards Morgan Bennett Turner Price Hayes Fletcher Holmes"
)
# Europeans who write to Léa in English.
EUROPEANS = (
    ("f", "Anke", "de Vries", "nl"),
    ("m", "Lars", "Eriksson", "se"),
    ("f", "Katrin", "Weber", "de"),
    ("m", "Mateo", "Fernández", "es"),
    ("f", "Giulia", "Bianchi", "it"),
    ("m", "Jonas", "Becker", "de"),
    ("f", "Ingrid", "Halvorsen", "no"),
    ("m", "Pieter", "Janssens", "be"),
)

FREEMAIL_FR = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "outlook.fr",
    "yahoo.fr",
)
FREEMAIL_EN = ("gmail.com", "gmail.com", "outlook.com", "icloud.com", "proton.me")

# How we met: `{e}` is the feminine ending ("Rencontrée"), `{intro}` someone of the network, `{year}` a year.
HOW_WE_MET_FR = (
    "Rencontré{e} au Forum de l'économie sociale et solidaire à Lyon en {year}.",
    "Présenté{e} par {intro}.",
    "Venu{e} à la conférence de Léa sur le leadership régénératif à Nantes.",
    "Contact LinkedIn après un article de Léa sur la gouvernance partagée.",
    "Rencontré{e} à une Fresque du Climat à Rennes.",
    "Ancien{ne} collègue de Léa, à l'époque du cabinet de conseil.",
    "A participé au séminaire du cercle en {year}.",
    "Rencontré{e} aux Rencontres de la transition du Val d'Erdre.",
    "Voisin{e} de bureau au tiers-lieu La Verrière.",
)
HOW_WE_MET_EN = (
    "Met at the Bristol Impact Summit in {year}.",
    "Introduced by {intro}.",
    "Came to Léa's talk in London on regenerative leadership.",
    "Connected on LinkedIn after a podcast episode.",
    "Met during the European co-op exchange in Brussels.",
)

NOTES_FR = (
    "Toujours partant{e} pour aider : penser à lui renvoyer l'ascenseur.",
    "Préfère qu'on l'appelle plutôt qu'un long mail.",
    "Très demandé{e} en ce moment, prévoir des délais.",
    "Nous a apporté deux clients l'an dernier : l'en remercier.",
    "Tarifs raisonnables, travail soigné — recommandé{e} par Claire.",
    "Intéressé{e} par les projets du cercle : à inviter au prochain séminaire.",
)
NOTES_EN = (
    "Happy to help French co-ops; reads French well.",
    "Best reached on Tuesdays; slow on e-mail.",
    "Keen to co-teach with Léa again next year.",
)

# What Léa writes with anyone about (person-to-person mail), beside their trade's own subjects.
SUBJECTS_FR = (
    "Déjeuner la semaine prochaine ?",
    "Un café à Nantes ?",
    "Merci pour hier !",
    "Petite question",
    "Des nouvelles",
    "Mise en relation",
    "Proposition de partenariat",
    "Compte rendu de notre échange",
    "Invitation au séminaire du cercle",
    "Ton avis sur un projet",
    "Retour sur la proposition",
    "Point d'étape",
    "Bonne année !",
    "Documents de la réunion",
    "Disponibilités pour un appel",
)
SUBJECTS_EN = (
    "Lunch next week?",
    "Catching up",
    "Thanks for yesterday!",
    "Quick question",
    "Introduction",
    "Partnership idea",
    "Notes from our call",
    "Your thoughts on a project",
    "Happy new year!",
    "Slides from the workshop",
    "Availability for a call",
)
MEETINGS_FR = ("Déjeuner", "Café", "Visio : point projet", "Rendez-vous au tiers-lieu", "Atelier de travail")
MEETINGS_EN = ("Lunch", "Video call", "Coffee in London", "Working session")
CALLS_FR = ("Appel : point rapide", "Appel", "Appel : préparation du séminaire")
CALLS_EN = ("Call", "Quick call")

# The lists Léa writes to (mail to several people weighs less than mail to one).
GROUPS = (
    (
        "fr",
        8,
        21,
        (
            "CA de Transitions Ouest : ordre du jour",
            "Compte rendu du CA",
            "Transitions Ouest : budget de l'année",
            "Assemblée générale : convocation",
        ),
    ),
    (
        "fr",
        12,
        35,
        ("Club des dirigeants engagés : prochaine rencontre", "Club des dirigeants : compte rendu"),
    ),
    ("fr", 6, 28, ("Collectif des facilitateurs : prochaine session", "Collectif : partage de pratiques")),
    ("en", 6, 45, ("Regenerative Leadership Network: next gathering", "Network call notes")),
)

# People of the mailbox the team knows well, written by hand: (tier, gender, language, name, email,
# organisation, position, phone, what they do, offers, needs, tags, how we met, note).
KEY_PEOPLE = (
    (
        "inner",
        "f",
        "fr",
        "Isabelle Laurent",
        "isabelle@laurent-strategies.fr",
        "Laurent Stratégies",
        "Fondatrice, conseil en stratégie RSE",
        "+33 6 71 24 58 90",
        "Conseille des dirigeants de PME sur leur stratégie RSE ; co-anime le cercle avec Léa depuis le début.",
        "Stratégie RSE\nBilan carbone et plan de transition pour les PME\nPréparer un comité de direction difficile",
        "Des missions plus longues dans l'industrie",
        "RSE, stratégie, bilan carbone, cercle",
        "Ancienne associée de Léa au cabinet de conseil.",
        "Le premier appel à passer pour toute demande sur la RSE ou le climat.",
    ),
    (
        "inner",
        "m",
        "fr",
        "Julien Morel",
        "julien.morel@gmail.com",
        "",
        "Administrateur d'associations",
        "+33 6 48 13 77 02",
        "Ancien directeur général d'une coopérative agricole, aujourd'hui administrateur de plusieurs associations.",
        "Gouvernance des conseils d'administration\nLevée de fonds auprès des fondations\nRelire un plan stratégique",
        "",
        "gouvernance, coopératives, mentor",
        "Mentor de Léa depuis ses débuts.",
        "Mentor : lui parler avant chaque décision importante pour le cercle.",
    ),
    (
        "inner",
        "f",
        "en",
        "Emily Carter",
        "emily@regenlab.co.uk",
        "Regen Leadership Lab",
        "Director",
        "+44 7700 900481",
        "Runs a regenerative leadership school in London; co-teaches the leadership programme with Léa.",
        "Regenerative leadership programmes\nFacilitating board retreats\nIntroductions to UK foundations",
        "French-speaking facilitators for a programme in Brussels",
        "leadership, facilitation, UK",
        "Met at the Bristol Impact Summit.",
        "Co-teaching partner; call her before any English-speaking keynote.",
    ),
    (
        "inner",
        "m",
        "fr",
        "Thomas Nguyen",
        "thomas@numerique-sobre.fr",
        "Numérique Sobre",
        "Développeur, fondateur",
        "+33 6 33 90 12 45",
        "Développe les outils du cercle et des applications sobres pour des associations.",
        "Développement d'applications web (Django)\nSites sobres et accessibles\nChoisir un logiciel libre",
        "Des missions pour l'équipe qu'il vient d'embaucher",
        "développement, numérique responsable, logiciel libre",
        "Présenté par Tom Fischer.",
        "",
    ),
    (
        "inner",
        "f",
        "fr",
        "Aurélie Fabre",
        "a.fabre@champs-unis.coop",
        "Coopérative Les Champs Unis",
        "Directrice générale",
        "+33 2 40 12 88 31",
        "Dirige une coopérative agricole de 140 salariés, accompagnée par le cercle depuis deux ans.",
        "Approvisionnement local pour la restauration collective\nTémoignages de dirigeants engagés",
        "Un plan de transition bas-carbone pour les trois sites\nRecrutement d'un responsable RSE",
        "agriculture, coopérative, cliente",
        "Cliente : sa demande d'accompagnement est arrivée par le formulaire.",
        "Cliente fidèle ; nouveau projet possible sur le bilan carbone des trois sites.",
    ),
    (
        "inner",
        "m",
        "fr",
        "Mehdi Amrani",
        "mehdi@laverriere.org",
        "Tiers-lieu La Verrière",
        "Directeur",
        "+33 6 12 55 47 80",
        "Dirige le tiers-lieu La Verrière, où le cercle tient ses séminaires.",
        "Location d'espaces de réunion\nAnimation de communauté\nMise en relation avec les acteurs nantais",
        "Un outil de réservation simple",
        "tiers-lieu, événements, Nantes",
        "Voisin de bureau au tiers-lieu.",
        "Nous prête la grande salle pour les séminaires ; penser à le citer.",
    ),
    (
        "close",
        "f",
        "fr",
        "Sandrine Roussel",
        "sandrine@roussel-expertise.fr",
        "Cabinet Roussel & Associés",
        "Expert-comptable",
        "+33 2 40 47 19 63",
        "Expert-comptable des associations et des coopératives.",
        "Comptabilité et fiscalité des associations\nPassage en coopérative : aspects comptables et fiscaux",
        "",
        "comptabilité, ESS",
        "Présentée par Julien Morel.",
        "",
    ),
    (
        "close",
        "f",
        "fr",
        "Claire-Marie Vasseur",
        "cm.vasseur@vasseur-avocats.fr",
        "Cabinet Vasseur Avocats",
        "Avocate associée",
        "+33 2 51 72 40 18",
        "Avocate des coopératives : statuts, gouvernance, pactes.",
        "Statuts de SCIC et de SCOP\nPactes d'associés\nContrats en anglais, avec une traductrice juridique",
        "",
        "droit, coopératives",
        "Rencontrée au Forum de l'ESS à Lyon.",
        "",
    ),
    (
        "close",
        "m",
        "fr",
        "Bastien Kerouac",
        "bastien@racines-capital.fr",
        "Racines Capital",
        "Associé",
        "+33 6 22 81 46 09",
        "Investit dans des entreprises de l'économie circulaire dans l'Ouest.",
        "Levée de fonds (amorçage, série A)\nPréparer un pitch deck\nMise en relation avec des business angels",
        "Des dossiers d'entreprises de l'économie circulaire",
        "levée de fonds, finance, impact",
        "Venu à la conférence de Léa à Nantes.",
        "Connaît tous les fonds à impact de l'Ouest ; demande des chiffres solides.",
    ),
    (
        "drift",
        "m",
        "fr",
        "Benoît Carpentier",
        "benoit.carpentier@transports-carpentier.fr",
        "Transports Carpentier",
        "Président",
        "+33 6 41 09 73 22",
        "Dirige une entreprise de transport de 60 salariés ; ancien client du cercle.",
        "Logistique régionale",
        "Verdir sa flotte de camions",
        "transport, client",
        "Client : accompagnement sur sa gouvernance.",
        "Projet terminé : prendre des nouvelles, il avait parlé d'un bilan carbone.",
    ),
    (
        "drift",
        "f",
        "fr",
        "Agathe Le Bihan",
        "agathe.lebihan@gmail.com",
        "",
        "Facilitatrice",
        "",
        "Facilitatrice indépendante, partie vivre à Montréal.",
        "Gouvernance partagée (sociocratie)\nAnimation de séminaires",
        "",
        "facilitation, gouvernance",
        "A participé au séminaire du cercle.",
        "Partie à Montréal : garder le lien, elle revient l'été.",
    ),
    (
        "drift",
        "m",
        "en",
        "Rory Fraser",
        "rory@commonscapital.org.uk",
        "Commons Capital",
        "Venture partner",
        "+44 7700 900722",
        "Impact investor in Edinburgh; helped two of the circle's clients raise money.",
        "Fundraising for impact start-ups\nInvestor introductions",
        "",
        "fundraising, UK",
        "Introduced by Emily Carter.",
        "",
    ),
)
