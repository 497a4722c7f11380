from django.urls import path

from cercle.outbox import views

app_name = "outbox"

urlpatterns = [
    path("outbox/", views.outbox, name="list"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
    path("outbox/identity/", views.identity, name="identity"),
]
