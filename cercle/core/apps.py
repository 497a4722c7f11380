from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cercle.core"
    label = "core"

    def ready(self) -> None:
        from cercle.core import checks  # noqa: F401  (registers system checks)
