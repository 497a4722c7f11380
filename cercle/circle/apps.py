from django.apps import AppConfig


class CircleConfig(AppConfig):
    name = "cercle.circle"
    label = "circle"
