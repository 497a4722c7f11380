from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "cercle.outbox"
    label = "outbox"
