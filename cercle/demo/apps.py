from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top of the stack: the demo hub (built through the real services) and `cercle run`, which
    starts the whole app and loads the demo on first run. Nothing imports from here."""

    name = "cercle.demo"
    label = "demo"
