from django.urls import path

from cercle.circle import profiles, views

app_name = "circle"

urlpatterns = [
    path("routing/", views.routing, name="routing"),
    path("routing/<int:pk>/", views.route, name="route"),
    path("routing/<int:pk>/why/<int:member_id>/", views.route_reasons, name="route_reasons"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("circle/profile/", profiles.profile_edit, name="profile"),
    path("circle/members/<int:user_id>/profile/", profiles.profile_edit, name="member_profile"),
    path("offers/<int:pk>/accept/", views.accept, name="accept"),
    path("offers/<int:pk>/decline/", views.decline, name="decline"),
    path("offers/<int:pk>/suggest/", views.suggest, name="suggest"),
]
