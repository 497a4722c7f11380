"""Default texts of the mail templates, seeded into the database (editable in the admin).

These are content, not code: the French and English versions are written, not translated at run time.

Every template may also use the hub's identity (services.template_render adds it): `hub_name`,
`leader_name`, `leader_signature` (set on the settings page; may be empty) and `leader_offer` (the
leader's "my offer" statement; may be empty).

A signature follows the separator "-- " (two dashes and a space, written \\u0020 below: mail programs
know the signature by it, and leave it out of a quoted reply).
"""

from __future__ import annotations

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("acknowledgement", "fr"): (
        "Votre demande : {{ subject }}",
        """Bonjour {{ requester_name }},

Merci pour votre message. {{ leader_name }} l'a lu et a confié votre demande à son premier cercle.
Un membre officiel du cercle va vous contacter très prochainement pour en parler avec vous.

{{ hub_name }}, c'est le premier cercle de {{ leader_name }} : des personnes de confiance avec qui {{ leader_name }} travaille et à qui sont confiées les demandes qui lui parviennent.
{% if leader_offer %}{{ leader_name }}, en quelques mots : « {{ leader_offer }} »
{% endif %}
Vous n'avez rien à faire d'ici là ; si vous souhaitez ajouter une précision, répondez simplement à ce message.

Bien cordialement,
{{ hub_name }}, pour {{ leader_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
    ),
    ("acknowledgement", "en"): (
        "Your request: {{ subject }}",
        """Hello {{ requester_name }},

Thank you for your message. {{ leader_name }} has read it and entrusted your request to their first circle.
An official member of the circle will contact you very soon to talk it through with you.

{{ hub_name }} is the first circle of {{ leader_name }}: trusted people who work with {{ leader_name }} and take on the requests that reach them.
{% if leader_offer %}{{ leader_name }} in a few words: "{{ leader_offer }}"
{% endif %}
There is nothing you need to do in the meantime; to add anything, simply reply to this message.

Kind regards,
{{ hub_name }}, on behalf of {{ leader_name }}
{% if leader_signature %}
--\u0020
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
{% if suggested_by_name %}
{{ suggested_by_name }} a pensé à vous pour cette demande{% if suggestion_note %} : « {{ suggestion_note }} »{% endif %}.
{% endif %}{% if deadline %}
Merci de répondre avant le {{ deadline|date:"DATETIME_FORMAT" }} ; sans réponse, elle sera proposée à un autre membre.
{% endif %}
Acceptez-la pour en devenir chef de projet, ou déclinez-la : {{ url }}
""",
    ),
    ("offer", "en"): (
        "A new opportunity for you: {{ subject }}",
        """Hello {{ member_name }},

{{ router_name }} offers you a request approved by {{ leader_name }}:

{{ subject }}
{{ brief }}
{% if suggested_by_name %}
{{ suggested_by_name }} thought of you for this request{% if suggestion_note %}: "{{ suggestion_note }}"{% endif %}.
{% endif %}{% if deadline %}
Please answer by {{ deadline|date:"DATETIME_FORMAT" }}; without an answer, it will be offered to another member.
{% endif %}
Accept it to become its project lead, or decline it: {{ url }}
""",
    ),
    # To whoever routed the request (circle/services.py): an offer was declined, passed on or left
    # unanswered, and what happened next. `why`: declined, suggested, expired, inactive or gone.
    ("offer_moved_on", "fr"): (
        "{% if back_to_routing %}À orienter de nouveau : {% elif next_name %}Proposée à {{ next_name }} : {% else %}Réponse du cercle : {% endif %}{{ subject }}",
        """Bonjour {{ router_name }},

{% if why == "declined" %}{{ who }} a refusé la demande « {{ subject }} »{% if reason %} : {{ reason }}{% endif %}.{% elif why == "suggested" %}{{ who }} a refusé la demande « {{ subject }} » et suggère {{ colleague }}{% if reason %} : {{ reason }}{% endif %}.{% elif why == "expired" %}{{ who }} n'a pas répondu à temps à la demande « {{ subject }} ».{% elif why == "inactive" %}{{ who }} n'est plus membre actif du cercle : la demande « {{ subject }} » ne l'attend plus.{% else %}Plus personne ne tenait la demande « {{ subject }} » (un compte supprimé).{% endif %}
{% if next_name %}
Elle est maintenant proposée à {{ next_name }}, qui a jusqu'au {{ next_deadline|date:"DATETIME_FORMAT" }} pour répondre.
{% elif waiting %}
Toujours en attente d'une réponse : {{ waiting }}.
{% elif back_to_routing %}
Plus personne à qui la proposer : elle revient à l'orientation. Choisissez d'autres membres.
{% endif %}
La demande : {{ url }}

{{ hub_name }}
""",
    ),
    ("offer_moved_on", "en"): (
        "{% if back_to_routing %}To route again: {% elif next_name %}Now offered to {{ next_name }}: {% else %}Answer from the circle: {% endif %}{{ subject }}",
        """Hello {{ router_name }},

{% if why == "declined" %}{{ who }} declined the request "{{ subject }}"{% if reason %}: {{ reason }}{% endif %}.{% elif why == "suggested" %}{{ who }} declined the request "{{ subject }}" and suggests {{ colleague }}{% if reason %}: {{ reason }}{% endif %}.{% elif why == "expired" %}{{ who }} did not answer the request "{{ subject }}" in time.{% elif why == "inactive" %}{{ who }} is no longer an active member of the circle: the request "{{ subject }}" no longer waits for them.{% else %}Nobody was holding the request "{{ subject }}" any more (an account was deleted).{% endif %}
{% if next_name %}
It is now offered to {{ next_name }}, who has until {{ next_deadline|date:"DATETIME_FORMAT" }} to answer.
{% elif waiting %}
Still waiting for an answer: {{ waiting }}.
{% elif back_to_routing %}
Nobody left to offer it to: it is back to routing. Choose other members.
{% endif %}
The request: {{ url }}

{{ hub_name }}
""",
    ),
    # The clocks (circulation/escalation.py): one grouped mail per person and run, listing the late
    # requests they hold (`held`) and those escalated to them (`escalated`).
    ("clock_reminders", "fr"): (
        "{% if held %}Relance{% else %}Alerte{% endif %} : {{ count }} demande{{ count|pluralize }} en retard",
        """Bonjour {{ name }},
{% if held %}
{% if held|length == 1 %}Cette demande vous attend et a dépassé son délai :{% else %}Ces demandes vous attendent et ont dépassé leur délai :{% endif %}
{% for i in held %}
- {{ i.subject }} ({{ i.requester }})
  {{ i.stage }}, depuis le {{ i.since|date:"DATETIME_FORMAT" }} (délai : {{ i.limit_hours }} h)
  {{ i.url }}
{% endfor %}{% endif %}{% if escalated %}
{% if escalated|length == 1 %}Cette demande attend toujours malgré une relance :{% else %}Ces demandes attendent toujours malgré les relances :{% endif %}
{% for i in escalated %}
- {{ i.subject }} ({{ i.requester }})
  {{ i.stage }}, depuis le {{ i.since|date:"DATETIME_FORMAT" }}{% if i.holders %}, entre les mains de {{ i.holders }}{% endif %}
  {{ i.url }}
{% endfor %}{% endif %}{% if dashboard_url %}
Toutes les demandes en retard : {{ dashboard_url }}
{% endif %}
Bien cordialement,
{{ hub_name }}
""",
    ),
    ("clock_reminders", "en"): (
        "{% if held %}Reminder{% else %}Escalation{% endif %}: {{ count }} late request{{ count|pluralize }}",
        """Hello {{ name }},
{% if held %}
{% if held|length == 1 %}This request is waiting for you and is past its limit:{% else %}These requests are waiting for you and are past their limit:{% endif %}
{% for i in held %}
- {{ i.subject }} ({{ i.requester }})
  {{ i.stage }}, since {{ i.since|date:"DATETIME_FORMAT" }} (limit: {{ i.limit_hours }} h)
  {{ i.url }}
{% endfor %}{% endif %}{% if escalated %}
{% if escalated|length == 1 %}This request is still waiting after a reminder:{% else %}These requests are still waiting after reminders:{% endif %}
{% for i in escalated %}
- {{ i.subject }} ({{ i.requester }})
  {{ i.stage }}, since {{ i.since|date:"DATETIME_FORMAT" }}{% if i.holders %}, in the hands of {{ i.holders }}{% endif %}
  {{ i.url }}
{% endfor %}{% endif %}{% if dashboard_url %}
Every late request: {{ dashboard_url }}
{% endif %}
Kind regards,
{{ hub_name }}
""",
    ),
    # The leader's daily digest (circulation/digest.py): each link opens a confirmation page, once.
    ("leader_digest", "fr"): (
        "{{ count }} demande{{ count|pluralize }} à valider",
        """Bonjour {{ name }},

{% if count == 1 %}Une demande attend votre décision.{% else %}{{ count }} demandes attendent votre décision.{% endif %} Chaque lien ouvre une page de confirmation, sans vous connecter : vous décidez d'un clic, depuis votre téléphone aussi.
{% for i in items %}
{{ forloop.counter }}. {{ i.subject }}{% if i.deferred %} (mise de côté){% endif %}
   {{ i.who }}, reçue le {{ i.received_at|date:"DATETIME_FORMAT" }}
{% if i.need %}   Besoin : {{ i.need }}
{% endif %}{% if i.goal %}   Objectif : {{ i.goal }}
{% endif %}{% if i.deadline %}   Échéance : {{ i.deadline|date:"DATE_FORMAT" }}
{% elif i.urgency %}   Échéance : {{ i.urgency }}
{% endif %}{% if i.budget %}   Budget : {{ i.budget }}
{% endif %}
   Valider : {{ i.approve_url }}
{% if i.later_url %}   Plus tard : {{ i.later_url }}
{% endif %}   Refuser : {{ i.decline_url }}
{% endfor %}{% if more %}
Et {{ more }} autre{{ more|pluralize }} dans l'application.
{% endif %}
Chaque lien sert une fois, pendant {{ link_hours }} heures. Toutes les demandes à valider : {{ validation_url }}

{{ hub_name }}
""",
    ),
    ("leader_digest", "en"): (
        "{{ count }} request{{ count|pluralize }} to validate",
        """Hello {{ name }},

{% if count == 1 %}One request is waiting for your decision.{% else %}{{ count }} requests are waiting for your decision.{% endif %} Each link opens a confirmation page, without signing in: one click decides, from your phone too.
{% for i in items %}
{{ forloop.counter }}. {{ i.subject }}{% if i.deferred %} (set aside){% endif %}
   {{ i.who }}, received {{ i.received_at|date:"DATETIME_FORMAT" }}
{% if i.need %}   Need: {{ i.need }}
{% endif %}{% if i.goal %}   Goal: {{ i.goal }}
{% endif %}{% if i.deadline %}   Deadline: {{ i.deadline|date:"DATE_FORMAT" }}
{% elif i.urgency %}   Deadline: {{ i.urgency }}
{% endif %}{% if i.budget %}   Budget: {{ i.budget }}
{% endif %}
   Approve: {{ i.approve_url }}
{% if i.later_url %}   Later: {{ i.later_url }}
{% endif %}   Decline: {{ i.decline_url }}
{% endfor %}{% if more %}
And {{ more }} more in the app.
{% endif %}
Each link works once, for {{ link_hours }} hours. Every request to validate: {{ validation_url }}

{{ hub_name }}
""",
    ),
    # The weekly proof list: the serious requests of the week, who answered and when.
    ("proof_list", "fr"): (
        "La preuve de la semaine : {{ count }} demande{{ count|pluralize }} sérieuse{{ count|pluralize }}, {{ unanswered }} sans réponse",
        """Bonjour {{ name }},

Les demandes sérieuses de la semaine, retenues du {{ start|date:"DATE_FORMAT" }} au {{ last_day|date:"DATE_FORMAT" }} : {{ count }}.
{% for i in items %}
- {{ i.subject }} ({{ i.requester }}), retenue le {{ i.kept_at|date:"DATETIME_FORMAT" }}
  {% if i.answered_at %}Réponse le {{ i.answered_at|date:"DATETIME_FORMAT" }}{% if i.answered_by %} par {{ i.answered_by }}{% endif %}{% else %}SANS RÉPONSE ({{ i.state }}){% endif %}
  {{ i.url }}
{% empty %}
Aucune demande retenue cette semaine.
{% endfor %}
{{ unanswered }} sans réponse.

{{ hub_name }}
""",
    ),
    ("proof_list", "en"): (
        "Proof of the week: {{ count }} serious request{{ count|pluralize }}, {{ unanswered }} unanswered",
        """Hello {{ name }},

The serious requests of the week, kept from {{ start|date:"DATE_FORMAT" }} to {{ last_day|date:"DATE_FORMAT" }}: {{ count }}.
{% for i in items %}
- {{ i.subject }} ({{ i.requester }}), kept {{ i.kept_at|date:"DATETIME_FORMAT" }}
  {% if i.answered_at %}Answered {{ i.answered_at|date:"DATETIME_FORMAT" }}{% if i.answered_by %} by {{ i.answered_by }}{% endif %}{% else %}UNANSWERED ({{ i.state }}){% endif %}
  {{ i.url }}
{% empty %}
No request kept this week.
{% endfor %}
{{ unanswered }} unanswered.

{{ hub_name }}
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
{{ hub_name }}{% if for_requester %}, pour {{ lead_name }}{% endif %}
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
{{ hub_name }}{% if for_requester %}, on behalf of {{ lead_name }}{% endif %}
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
{{ hub_name }}{% if for_requester %}, pour {{ lead_name }}{% endif %}
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
{{ hub_name }}{% if for_requester %}, on behalf of {{ lead_name }}{% endif %}
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
        "Le point de la semaine : {{ subject }}",
        """Bonjour {{ leader_name }},

Le point de la semaine du {{ week_start|date:"j F" }} au {{ week_end|date:"DATE_FORMAT" }} sur le projet « {{ subject }} », mené par {{ lead_name }} pour {{ requester_name }} ({{ state }}).
{% if stalled %}
Aucune nouvelle depuis {{ quiet_days }} jours : ni point d'avancement, ni étape franchie. Un mot à {{ lead_name }} ?
{% endif %}{% if happened %}
Ce qui s'est passé :
{% for item in happened %}- {{ item.at|date:"j F" }} : {{ item.text }}
{% endfor %}{% endif %}{% if updates %}
Les points d'avancement :
{% for update in updates %}- {{ update.at|date:"j F" }}, {{ update.author }} : {{ update.text }}
{% endfor %}{% endif %}{% if steps_done %}
Les étapes franchies :
{% for label in steps_done %}- {{ label }}
{% endfor %}{% endif %}{% if steps_open %}
Reste à faire :
{% for label in steps_open %}- {{ label }}
{% endfor %}{% endif %}
{% if next_meeting %}Prochaine réunion : {{ next_meeting|date:"l" }} {{ next_meeting|date:"DATETIME_FORMAT" }}.{% else %}Pas de réunion prévue.{% endif %}

Le projet : {{ url }}

Un message par semaine et par projet en cours, quand il y a du nouveau ou que le projet s'enlise.
""",
    ),
    ("project_weekly", "en"): (
        "This week's status: {{ subject }}",
        """Hello {{ leader_name }},

The status of the project "{{ subject }}" for the week of {{ week_start|date:"j F" }} to {{ week_end|date:"DATE_FORMAT" }}, led by {{ lead_name }} for {{ requester_name }} ({{ state }}).
{% if stalled %}
No news for {{ quiet_days }} days: no status update, no step done. A word to {{ lead_name }}?
{% endif %}{% if happened %}
What happened:
{% for item in happened %}- {{ item.at|date:"j F" }}: {{ item.text }}
{% endfor %}{% endif %}{% if updates %}
Status updates:
{% for update in updates %}- {{ update.at|date:"j F" }}, {{ update.author }}: {{ update.text }}
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
        "{% if outcome == 'won' %}Projet gagné{% elif outcome == 'lost' %}Projet perdu{% else %}Projet abandonné{% endif %} : {{ subject }}",
        """Bonjour {{ leader_name }},

{{ actor_name }} a enregistré l'issue du projet « {{ subject }} » pour {{ requester_name }} : {% if outcome == 'won' %}gagné{% elif outcome == 'lost' %}perdu{% else %}abandonné{% endif %}{% if value %}, pour {{ value }}{% endif %}.
{% if note %}
« {{ note }} »
{% endif %}
Chef de projet : {{ lead_name }}.
Demande reçue le {{ received|date:"DATE_FORMAT" }}{% if lead_delay %}, chef de projet nommé en {{ lead_delay }}{% endif %} ; projet clos le {{ closed|date:"DATE_FORMAT" }}.

Le projet : {{ url }}
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

# Introductions (people/introductions): the request to the connector (an editable draft; the reminder
# is the same text with `reminder`), the links block added under it, the question to the person to
# meet, the bridge mail, the kind word when the person to meet declines, the hub's notice, the thanks.
DEFAULT_TEMPLATES.update(
    {
        ("intro_request", "fr"): (
            "{% filter capfirst %}{% if reminder %}petit rappel : {% endif %}pourriez-vous me présenter {{ target_name }} ?{% endfilter %}",
            """Bonjour {{ connector_name }},
{% if reminder %}
Je me permets de revenir vers vous au sujet de ma demande, sans aucune obligation.
{% endif %}
Je cherche à rencontrer {{ target_name }}{% if target_org %} ({{ target_org }}){% endif %} et je crois que vous le ou la connaissez bien.

Pourquoi : {{ purpose }}

Pourquoi cela vaut votre temps : l'échange est court, et {{ target_name }} ne sera sollicité(e) qu'avec votre accord, puis seulement s'il ou elle dit oui à son tour.
{% if leader_offer %}
Ce que {{ hub_name }} peut vous apporter en retour : « {{ leader_offer }} » — dites-moi simplement ce qui vous serait utile.
{% endif %}
Bien cordialement,
{{ beneficiary_name }}, {{ hub_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
        ),
        ("intro_request", "en"): (
            "{% filter capfirst %}{% if reminder %}a gentle reminder: {% endif %}could you introduce me to {{ target_name }}?{% endfilter %}",
            """Hello {{ connector_name }},
{% if reminder %}
I am coming back to you about my request, with no obligation at all.
{% endif %}
I would like to meet {{ target_name }}{% if target_org %} ({{ target_org }}){% endif %} and I believe you know them well.

Why: {{ purpose }}

Why it is worth your time: it is a short exchange, and {{ target_name }} is only asked with your agreement, then only if they say yes too.
{% if leader_offer %}
What {{ hub_name }} can give you in return: "{{ leader_offer }}" — just tell me what would help you.
{% endif %}
Kind regards,
{{ beneficiary_name }}, {{ hub_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
        ),
        ("intro_links", "fr"): (
            "",
            """Répondez d'un clic :
Oui, avec plaisir : {{ accept_url }}
Non, pas cette fois : {{ decline_url }}
(Chaque lien ouvre une page où confirmer ; il fonctionne une fois, pendant {{ link_days }} jours.)""",
        ),
        ("intro_links", "en"): (
            "",
            """Answer with one click:
Yes, gladly: {{ accept_url }}
No, not this time: {{ decline_url }}
(Each link opens a page to confirm; it works once, for {{ link_days }} days.)""",
        ),
        ("intro_target", "fr"): (
            "{{ connector_name }} propose de vous présenter {{ beneficiary_name }}",
            """Bonjour {{ target_name }},

{{ connector_name }} pense que vous auriez plaisir à échanger avec {{ beneficiary_name }} ({{ hub_name }}) et a accepté de faire les présentations, si vous le souhaitez.

Pourquoi : {{ purpose }}
{% if leader_offer %}
{{ leader_name }}, en quelques mots : « {{ leader_offer }} »
{% endif %}
Répondez d'un clic :
Oui, avec plaisir : {{ accept_url }}
Non, merci : {{ decline_url }}
(Chaque lien ouvre une page où confirmer ; il fonctionne une fois, pendant {{ link_days }} jours.)

Bien cordialement,
{{ beneficiary_name }}, {{ hub_name }}""",
        ),
        ("intro_target", "en"): (
            "{{ connector_name }} would like to introduce you to {{ beneficiary_name }}",
            """Hello {{ target_name }},

{{ connector_name }} thinks you would enjoy talking with {{ beneficiary_name }} ({{ hub_name }}) and has agreed to introduce you, if you wish.

Why: {{ purpose }}
{% if leader_offer %}
{{ leader_name }} in a few words: "{{ leader_offer }}"
{% endif %}
Answer with one click:
Yes, gladly: {{ accept_url }}
No, thank you: {{ decline_url }}
(Each link opens a page to confirm; it works once, for {{ link_days }} days.)

Kind regards,
{{ beneficiary_name }}, {{ hub_name }}""",
        ),
        ("intro_bridge", "fr"): (
            "Présentation : {{ target_name }} et {{ beneficiary_name }}",
            """Bonjour {{ target_name }}, bonjour {{ beneficiary_name }},

Vous avez tous les deux dit oui : voici la présentation, grâce à {{ connector_name }} (en copie), que nous remercions.

{{ target_name }}{% if target_org %} ({{ target_org }}){% endif %} — {{ target_email }}
{{ beneficiary_name }} ({{ hub_name }}) — {{ beneficiary_email }}

Pourquoi : {{ purpose }}
{% if leader_offer %}
{{ leader_name }}, en quelques mots : « {{ leader_offer }} »
{% endif %}
Je vous laisse convenir d'un moment pour échanger.

Bien cordialement,
{{ hub_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
        ),
        ("intro_bridge", "en"): (
            "Introduction: {{ target_name }} and {{ beneficiary_name }}",
            """Hello {{ target_name }}, hello {{ beneficiary_name }},

You both said yes: here is the introduction, thanks to {{ connector_name }} (in copy), whom we thank.

{{ target_name }}{% if target_org %} ({{ target_org }}){% endif %} — {{ target_email }}
{{ beneficiary_name }} ({{ hub_name }}) — {{ beneficiary_email }}

Why: {{ purpose }}
{% if leader_offer %}
{{ leader_name }} in a few words: "{{ leader_offer }}"
{% endif %}
I will let you agree on a time to talk.

Kind regards,
{{ hub_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
        ),
        ("intro_declined", "fr"): (
            "Merci pour votre aide avec {{ target_name }}",
            """Bonjour {{ connector_name }},

{{ target_name }} a préféré ne pas donner suite pour le moment, et c'est bien normal. Merci d'avoir accepté de faire le lien : votre geste compte pour nous.
{% if leader_offer %}
Et si {{ hub_name }} peut vous être utile (« {{ leader_offer }} »), dites-le-moi.
{% endif %}
Bien cordialement,
{{ beneficiary_name }}, {{ hub_name }}""",
        ),
        ("intro_declined", "en"): (
            "Thank you for your help with {{ target_name }}",
            """Hello {{ connector_name }},

{{ target_name }} preferred not to follow up for now, which is perfectly fine. Thank you for agreeing to make the connection: it means a lot to us.
{% if leader_offer %}
And if {{ hub_name }} can be of use to you ("{{ leader_offer }}"), just tell me.
{% endif %}
Kind regards,
{{ beneficiary_name }}, {{ hub_name }}""",
        ),
        ("intro_declined_hub", "fr"): (
            "Présentation à {{ target_name }} : pas cette fois",
            """Bonjour {{ name }},

{% if by_connector %}{{ connector_name }} a préféré ne pas faire la présentation à {{ target_name }}.{% else %}{{ target_name }} a préféré ne pas donner suite à la présentation proposée par {{ connector_name }}. {{ connector_name }} a reçu un mot de remerciement.{% endif %}
Rien d'autre n'a été envoyé. L'historique est sur la fiche : {{ url }}""",
        ),
        ("intro_declined_hub", "en"): (
            "Introduction to {{ target_name }}: not this time",
            """Hello {{ name }},

{% if by_connector %}{{ connector_name }} preferred not to make the introduction to {{ target_name }}.{% else %}{{ target_name }} preferred not to follow up on the introduction {{ connector_name }} offered. {{ connector_name }} received a thank-you note.{% endif %}
Nothing else was sent. The history is on the profile: {{ url }}""",
        ),
        ("intro_thanks", "fr"): (
            "Merci, {{ connector_name }}",
            """Bonjour {{ connector_name }},

Un grand merci pour votre aide : {{ what }}. Cela nous a vraiment aidés.
{% if leader_offer %}
Si {{ hub_name }} peut vous rendre la pareille (« {{ leader_offer }} »), dites-le-moi simplement.
{% endif %}
Bien cordialement,
{{ leader_name }}, {{ hub_name }}""",
        ),
        ("intro_thanks", "en"): (
            "Thank you, {{ connector_name }}",
            """Hello {{ connector_name }},

Many thanks for your help: {{ what }}. It really helped us.
{% if leader_offer %}
If {{ hub_name }} can return the favour ("{{ leader_offer }}"), just tell me.
{% endif %}
Kind regards,
{{ leader_name }}, {{ hub_name }}""",
        ),
    }
)

# Introductions the hub makes between two people of its network (people/matchmaking.py): the editable
# question to the person with the need (the links block `intro_links` is added under it), the question
# to the person who can meet it, the bridge mail, the kind word when they decline, the hub's notice.
DEFAULT_TEMPLATES.update(
    {
        ("match_request", "fr"): (
            "{% filter capfirst %}{% if reminder %}petit rappel : {% endif %}souhaitez-vous rencontrer {{ target_name }} ?{% endfilter %}",
            """Bonjour {{ connector_name }},
{% if reminder %}
Je me permets de revenir vers vous, sans aucune obligation.
{% endif %}
Vous nous aviez parlé de ce besoin : {{ purpose }}

{{ target_name }}{% if target_org %} ({{ target_org }}){% endif %} pourrait vous aider{% if offer %} : « {{ offer }} »{% endif %}.

Souhaitez-vous que nous vous présentions ? Nous ne lui écrirons qu'avec votre accord, puis seulement s'il ou elle dit oui à son tour.

Bien cordialement,
{{ leader_name }}, {{ hub_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
        ),
        ("match_request", "en"): (
            "{% filter capfirst %}{% if reminder %}a gentle reminder: {% endif %}would you like to meet {{ target_name }}?{% endfilter %}",
            """Hello {{ connector_name }},
{% if reminder %}
I am coming back to you, with no obligation at all.
{% endif %}
You told us about this need: {{ purpose }}

{{ target_name }}{% if target_org %} ({{ target_org }}){% endif %} could help you{% if offer %}: "{{ offer }}"{% endif %}.

Would you like us to introduce you? We will only write to them with your agreement, then only if they say yes too.

Kind regards,
{{ leader_name }}, {{ hub_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
        ),
        ("match_target", "fr"): (
            "Une présentation à {{ connector_name }} ?",
            """Bonjour {{ target_name }},

{{ connector_name }}{% if connector_org %} ({{ connector_org }}){% endif %} cherche : {{ purpose }}
{% if offer %}
Nous avons pensé à vous, qui proposez : « {{ offer }} ».
{% endif %}
{{ connector_name }} aimerait être présenté(e). Et vous ?

Répondez d'un clic :
Oui, avec plaisir : {{ accept_url }}
Non, merci : {{ decline_url }}
(Chaque lien ouvre une page où confirmer ; il fonctionne une fois, pendant {{ link_days }} jours.)

Bien cordialement,
{{ leader_name }}, {{ hub_name }}""",
        ),
        ("match_target", "en"): (
            "An introduction to {{ connector_name }}?",
            """Hello {{ target_name }},

{{ connector_name }}{% if connector_org %} ({{ connector_org }}){% endif %} is looking for: {{ purpose }}
{% if offer %}
We thought of you, as you offer: "{{ offer }}".
{% endif %}
{{ connector_name }} would like to be introduced. Would you?

Answer with one click:
Yes, gladly: {{ accept_url }}
No, thank you: {{ decline_url }}
(Each link opens a page to confirm; it works once, for {{ link_days }} days.)

Kind regards,
{{ leader_name }}, {{ hub_name }}""",
        ),
        ("match_bridge", "fr"): (
            "Présentation : {{ connector_name }} et {{ target_name }}",
            """Bonjour {{ connector_name }}, bonjour {{ target_name }},

Vous avez tous les deux dit oui : voici la présentation.

{{ connector_name }}{% if connector_org %} ({{ connector_org }}){% endif %} — {{ connector_email }}
{{ target_name }}{% if target_org %} ({{ target_org }}){% endif %} — {{ target_email }}

Le besoin : {{ purpose }}
{% if offer %}Ce que {{ target_name }} propose : « {{ offer }} »
{% endif %}
Je vous laisse convenir d'un moment pour échanger.

Bien cordialement,
{{ leader_name }}, {{ hub_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
        ),
        ("match_bridge", "en"): (
            "Introduction: {{ connector_name }} and {{ target_name }}",
            """Hello {{ connector_name }}, hello {{ target_name }},

You both said yes: here is the introduction.

{{ connector_name }}{% if connector_org %} ({{ connector_org }}){% endif %} — {{ connector_email }}
{{ target_name }}{% if target_org %} ({{ target_org }}){% endif %} — {{ target_email }}

The need: {{ purpose }}
{% if offer %}What {{ target_name }} offers: "{{ offer }}"
{% endif %}
I will let you agree on a time to talk.

Kind regards,
{{ leader_name }}, {{ hub_name }}
{% if leader_signature %}
--\u0020
{{ leader_signature }}
{% endif %}""",
        ),
        ("match_declined", "fr"): (
            "Votre présentation à {{ target_name }}",
            """Bonjour {{ connector_name }},

{{ target_name }} n'est pas disponible pour le moment, et c'est bien normal. Nous gardons votre besoin en tête et reviendrons vers vous si une autre personne de notre réseau peut vous aider.

Bien cordialement,
{{ leader_name }}, {{ hub_name }}""",
        ),
        ("match_declined", "en"): (
            "Your introduction to {{ target_name }}",
            """Hello {{ connector_name }},

{{ target_name }} is not available for now, which is perfectly fine. We keep your need in mind and will come back to you if someone else in our network can help.

Kind regards,
{{ leader_name }}, {{ hub_name }}""",
        ),
        ("match_declined_hub", "fr"): (
            "Mise en relation {{ connector_name }} – {{ target_name }} : pas cette fois",
            """Bonjour {{ name }},

{% if by_connector %}{{ connector_name }} a préféré ne pas être présenté(e) à {{ target_name }}.{% else %}{{ target_name }} a préféré ne pas être présenté(e) à {{ connector_name }}, qui a reçu un mot aimable.{% endif %}
Rien d'autre n'a été envoyé. L'historique est sur la fiche : {{ url }}""",
        ),
        ("match_declined_hub", "en"): (
            "Introducing {{ connector_name }} and {{ target_name }}: not this time",
            """Hello {{ name }},

{% if by_connector %}{{ connector_name }} preferred not to be introduced to {{ target_name }}.{% else %}{{ target_name }} preferred not to be introduced to {{ connector_name }}, who received a kind word.{% endif %}
Nothing else was sent. The history is on the profile: {{ url }}""",
        ),
    }
)
