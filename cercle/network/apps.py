from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "cercle.network"
    label = "network"
