from django.urls import path

from cercle.projects import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.overview, name="list"),
    path("projects/<int:pk>/", views.detail, name="detail"),
    path("projects/<int:pk>/meeting/", views.meeting, name="meeting"),
    path("projects/<int:pk>/update/", views.update, name="update"),
    path("projects/<int:pk>/step/", views.step, name="step"),
    path("projects/<int:pk>/team/", views.team, name="team"),
    path("projects/<int:pk>/steps/<int:item_id>/toggle/", views.toggle_step, name="toggle_step"),
    path("requests/<int:pk>/close/", views.close, name="close"),
    path("requests/<int:pk>/reopen/", views.reopen, name="reopen"),
]
