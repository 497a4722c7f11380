from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "cercle.projects"
    label = "projects"
