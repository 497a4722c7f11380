from django.urls import path

from cercle.circle import views

app_name = "circle"

urlpatterns = [
    path("routing/", views.routing, name="routing"),
    path("routing/<int:pk>/", views.route, name="route"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("offers/<int:pk>/accept/", views.accept, name="accept"),
    path("offers/<int:pk>/decline/", views.decline, name="decline"),
    path("offers/<int:pk>/suggest/", views.suggest, name="suggest"),
]
