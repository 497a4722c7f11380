from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "cercle.intake"
    label = "intake"
