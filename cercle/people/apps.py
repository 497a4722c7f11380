from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """The network's screens: people, "who can do X?", the profile, the keep-in-touch plan."""

    name = "cercle.people"
    label = "people"
    verbose_name = _("Network")
