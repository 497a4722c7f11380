from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "cercle.circulation"
    label = "circulation"
