"""Default texts of the mail templates, seeded into the database (editable in the admin).

These are content, not code: the French and English versions are written, not translated at run time.

Every template may also use the hub's identity (services.template_render adds it): `hub_name`,
`leader_name`, `leader_signature` (set on the settings page; may be empty) and `leader_offer` (the
leader's "my offer" statement; may be empty).
"""

from __future__ import annotations

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("acknowledgement", "fr"): (
        "Votre demande : {{ subject }}",
        """Bonjour {{ requester_name }},

Merci pour votre message. {{ leader_name }} l'a lu et a confié votre demande à son premier cercle.
Un membre officiel du cercle va vous contacter très prochainement pour en parler avec vous.

{{ hub_name }}, c'est le premier cercle de {{ leader_name }} : des personnes de confiance avec qui {{ leader_name }} travaille et à qui sont confiées les demandes qui lui parviennent.
{% if leader_offer %}En quelques mots, ce que propose {{ leader_name }} : {{ leader_offer }}
{% endif %}
Vous n'avez rien à faire d'ici là ; si vous souhaitez ajouter une précision, répondez simplement à ce message.

Bien cordialement,
{{ hub_name }}, pour {{ leader_name }}
{% if leader_signature %}
--
{{ leader_signature }}
{% endif %}""",
    ),
    ("acknowledgement", "en"): (
        "Your request: {{ subject }}",
        """Hello {{ requester_name }},

Thank you for your message. {{ leader_name }} has read it and entrusted your request to their first circle.
An official member of the circle will contact you very soon to talk it through with you.

{{ hub_name }} is the first circle of {{ leader_name }}: trusted people who work with {{ leader_name }} and take on the requests that reach them.
{% if leader_offer %}In a few words, what {{ leader_name }} offers: {{ leader_offer }}
{% endif %}
There is nothing you need to do in the meantime; to add anything, simply reply to this message.

Kind regards,
{{ hub_name }}, on behalf of {{ leader_name }}
{% if leader_signature %}
--
{{ leader_signature }}
{% endif %}""",
    ),
    ("introduction", "fr"): (
        "{{ lead_name }} prend en charge votre demande : {{ subject }}",
        """Bonjour {{ requester_name }},

Comme promis, je vous présente {{ lead_name }}, membre de mon premier cercle, qui prend en charge votre demande
et sera désormais votre interlocuteur ou interlocutrice.
{% if lead_headline %}
{{ lead_name }} : {{ lead_headline }}.
{% endif %}
{{ lead_name }} vous proposera très vite un premier rendez-vous. Je reste en copie et suis l'avancement.

Bien cordialement,
{% if leader_signature %}{{ leader_signature }}{% else %}{{ leader_name }}{% endif %}
""",
    ),
    ("introduction", "en"): (
        "{{ lead_name }} is taking care of your request: {{ subject }}",
        """Hello {{ requester_name }},

As promised, let me introduce {{ lead_name }}, a member of my first circle, who is taking care of your request
and will be your contact from now on.
{% if lead_headline %}
{{ lead_name }}: {{ lead_headline }}.
{% endif %}
{{ lead_name }} will propose a first meeting very soon. I stay in copy and follow how it goes.

Kind regards,
{% if leader_signature %}{{ leader_signature }}{% else %}{{ leader_name }}{% endif %}
""",
    ),
    ("offer", "fr"): (
        "Nouvelle opportunité pour vous : {{ subject }}",
        """Bonjour {{ member_name }},

{{ router_name }} vous propose une demande validée par {{ leader_name }} :

{{ subject }}
{{ brief }}

Acceptez-la pour en devenir chef de projet, ou déclinez-la : {{ url }}
""",
    ),
    ("offer", "en"): (
        "A new opportunity for you: {{ subject }}",
        """Hello {{ member_name }},

{{ router_name }} offers you a request approved by {{ leader_name }}:

{{ subject }}
{{ brief }}

Accept it to become its project lead, or decline it: {{ url }}
""",
    ),
    ("receipt", "fr"): (
        "Nous avons bien reçu votre demande : {{ subject }}",
        """Bonjour {{ requester_name }},

Nous avons bien reçu votre demande, « {{ subject }} ».
Elle sera lue avec attention, et vous aurez une réponse d'ici {{ hours }} heures.

Si vous souhaitez ajouter une précision, répondez simplement à ce message.

Bien cordialement,
{{ hub_name }}
""",
    ),
    ("receipt", "en"): (
        "We have received your request: {{ subject }}",
        """Hello {{ requester_name }},

We have received your request, "{{ subject }}".
It will be read with care, and you will hear from us within {{ hours }} hours.

If you would like to add anything, simply reply to this message.

Kind regards,
{{ hub_name }}
""",
    ),
    ("meeting_invitation", "fr"): (
        "Première réunion : {{ subject }}",
        """Bonjour {{ name }},

{% if for_requester %}{{ lead_name }} vous invite à une première réunion au sujet de votre demande « {{ subject }} » :{% else %}La première réunion du projet « {{ subject }} » est fixée :{% endif %}

{{ when|date:"l" }} {{ when|date:"DATE_FORMAT" }}, de {{ when|date:"G" }} h {{ when|date:"i" }} à {{ end|date:"G" }} h {{ end|date:"i" }} ({{ time_zone }})

L'invitation est jointe à ce message : votre agenda vous propose de l'ajouter.
{% if url %}
Le projet : {{ url }}
{% endif %}
Bien cordialement,
{{ hub_name }}, pour {{ lead_name }}
""",
    ),
    ("meeting_invitation", "en"): (
        "First meeting: {{ subject }}",
        """Hello {{ name }},

{% if for_requester %}{{ lead_name }} invites you to a first meeting about your request "{{ subject }}":{% else %}The first meeting of the project "{{ subject }}" is set:{% endif %}

{{ when|date:"l" }} {{ when|date:"DATE_FORMAT" }}, {{ when|time }} to {{ end|time }} ({{ time_zone }})

The invitation is attached to this message: your calendar will offer to add it.
{% if url %}
The project: {{ url }}
{% endif %}
Kind regards,
{{ hub_name }}, on behalf of {{ lead_name }}
""",
    ),
    ("meeting_update", "fr"): (
        "Première réunion déplacée : {{ subject }}",
        """Bonjour {{ name }},

La première réunion {% if for_requester %}au sujet de votre demande{% else %}du projet{% endif %} « {{ subject }} » est déplacée :

{{ when|date:"l" }} {{ when|date:"DATE_FORMAT" }}, de {{ when|date:"G" }} h {{ when|date:"i" }} à {{ end|date:"G" }} h {{ end|date:"i" }} ({{ time_zone }})
{% if previous %}au lieu du {{ previous|date:"l" }} {{ previous|date:"DATE_FORMAT" }} à {{ previous|date:"G" }} h {{ previous|date:"i" }}.
{% endif %}
L'invitation mise à jour est jointe à ce message : votre agenda vous propose de déplacer la réunion.
{% if url %}
Le projet : {{ url }}
{% endif %}
Bien cordialement,
{{ hub_name }}, pour {{ lead_name }}
""",
    ),
    ("meeting_update", "en"): (
        "First meeting moved: {{ subject }}",
        """Hello {{ name }},

The first meeting {% if for_requester %}about your request{% else %}of the project{% endif %} "{{ subject }}" has moved:

{{ when|date:"l" }} {{ when|date:"DATE_FORMAT" }}, {{ when|time }} to {{ end|time }} ({{ time_zone }})
{% if previous %}instead of {{ previous|date:"l" }} {{ previous|date:"DATE_FORMAT" }} at {{ previous|time }}.
{% endif %}
The updated invitation is attached to this message: your calendar will offer to move the meeting.
{% if url %}
The project: {{ url }}
{% endif %}
Kind regards,
{{ hub_name }}, on behalf of {{ lead_name }}
""",
    ),
    ("team_welcome", "fr"): (
        "Vous rejoignez l'équipe du projet : {{ subject }}",
        """Bonjour {{ member_name }},

{{ actor_name }} vous ajoute à l'équipe du projet « {{ subject }} »{% if actor_name != lead_name %}, dont {{ lead_name }} est chef de projet{% endif %}.
{% if when %}
La première réunion est fixée au {{ when|date:"l" }} {{ when|date:"DATE_FORMAT" }}, de {{ when|date:"G" }} h {{ when|date:"i" }} à {{ end|date:"G" }} h {{ end|date:"i" }} ({{ time_zone }}) : l'invitation est jointe à ce message.
{% endif %}
Le projet, ses premières étapes et ses nouvelles : {{ url }}

Bien cordialement,
{{ hub_name }}
""",
    ),
    ("team_welcome", "en"): (
        "You join the project team: {{ subject }}",
        """Hello {{ member_name }},

{{ actor_name }} has added you to the team of the project "{{ subject }}"{% if actor_name != lead_name %}, led by {{ lead_name }}{% endif %}.
{% if when %}
The first meeting is set for {{ when|date:"l" }} {{ when|date:"DATE_FORMAT" }}, {{ when|time }} to {{ end|time }} ({{ time_zone }}): the invitation is attached to this message.
{% endif %}
The project, its first steps and its news: {{ url }}

Kind regards,
{{ hub_name }}
""",
    ),
    ("project_weekly", "fr"): (
        "Le point de la semaine : {{ subject }}",
        """Bonjour {{ leader_name }},

Le point de la semaine du {{ week_start|date:"j F" }} au {{ week_end|date:"DATE_FORMAT" }} sur le projet « {{ subject }} », mené par {{ lead_name }} pour {{ requester_name }} ({{ state }}).
{% if stalled %}
Aucune nouvelle depuis {{ quiet_days }} jours : ni point d'avancement, ni étape franchie. Un mot à {{ lead_name }} ?
{% endif %}{% if updates %}
Les points d'avancement :
{% for update in updates %}- {{ update.at|date:"j F" }}, {{ update.author }} : {{ update.text }}
{% endfor %}{% endif %}{% if steps_done %}
Les étapes franchies :
{% for label in steps_done %}- {{ label }}
{% endfor %}{% endif %}{% if steps_open %}
Reste à faire :
{% for label in steps_open %}- {{ label }}
{% endfor %}{% endif %}
{% if next_meeting %}Prochaine réunion : {{ next_meeting|date:"l" }} {{ next_meeting|date:"DATETIME_FORMAT" }}.{% else %}Pas de réunion prévue.{% endif %}

Le projet : {{ url }}

Un message par semaine et par projet en cours, quand il y a du nouveau ou que le projet s'enlise.
""",
    ),
    ("project_weekly", "en"): (
        "This week's status: {{ subject }}",
        """Hello {{ leader_name }},

The status of the project "{{ subject }}" for the week of {{ week_start|date:"F j" }} to {{ week_end|date:"DATE_FORMAT" }}, led by {{ lead_name }} for {{ requester_name }} ({{ state }}).
{% if stalled %}
No news for {{ quiet_days }} days: no status update, no step done. A word to {{ lead_name }}?
{% endif %}{% if updates %}
Status updates:
{% for update in updates %}- {{ update.at|date:"F j" }}, {{ update.author }}: {{ update.text }}
{% endfor %}{% endif %}{% if steps_done %}
Steps done:
{% for label in steps_done %}- {{ label }}
{% endfor %}{% endif %}{% if steps_open %}
Still to do:
{% for label in steps_open %}- {{ label }}
{% endfor %}{% endif %}
{% if next_meeting %}Next meeting: {{ next_meeting|date:"l" }} {{ next_meeting|date:"DATETIME_FORMAT" }}.{% else %}No meeting planned.{% endif %}

The project: {{ url }}

One message a week per project in progress, when there is news or when the project stalls.
""",
    ),
    ("project_outcome", "fr"): (
        "{% if outcome == 'won' %}Projet gagné{% elif outcome == 'lost' %}Projet perdu{% else %}Projet abandonné{% endif %} : {{ subject }}",
        """Bonjour {{ leader_name }},

{{ actor_name }} a enregistré l'issue du projet « {{ subject }} » pour {{ requester_name }} : {% if outcome == 'won' %}gagné{% elif outcome == 'lost' %}perdu{% else %}abandonné{% endif %}{% if value %}, pour {{ value }}{% endif %}.
{% if note %}
« {{ note }} »
{% endif %}
Chef de projet : {{ lead_name }}.
Demande reçue le {{ received|date:"DATE_FORMAT" }}{% if lead_delay %}, chef de projet nommé en {{ lead_delay }}{% endif %} ; projet clos le {{ closed|date:"DATE_FORMAT" }}.

Le projet : {{ url }}
""",
    ),
    ("project_outcome", "en"): (
        "{% if outcome == 'won' %}Project won{% elif outcome == 'lost' %}Project lost{% else %}Project abandoned{% endif %}: {{ subject }}",
        """Hello {{ leader_name }},

{{ actor_name }} has recorded the outcome of the project "{{ subject }}" for {{ requester_name }}: {% if outcome == 'won' %}won{% elif outcome == 'lost' %}lost{% else %}abandoned{% endif %}{% if value %}, for {{ value }}{% endif %}.
{% if note %}
"{{ note }}"
{% endif %}
Project lead: {{ lead_name }}.
Request received on {{ received|date:"DATE_FORMAT" }}{% if lead_delay %}, project lead named within {{ lead_delay }}{% endif %}; project closed on {{ closed|date:"DATE_FORMAT" }}.

The project: {{ url }}
""",
    ),
}
