from django.urls import include, path

from cercle.people import views

app_name = "people"

urlpatterns = [
    path("network/", views.network, name="network"),
    path("network/new/", views.new, name="new"),
    path("network/drifting/", views.drifting_list, name="drifting"),
    path("network/me/", views.my_offer, name="my_offer"),
    path("network/export.csv", views.export_contacts, {"fmt": "csv"}, name="export_csv"),
    path("network/export.vcf", views.export_contacts, {"fmt": "vcard"}, name="export_vcard"),
    path("network/plan/", views.plan, name="plan"),
    path("network/plan/<int:pk>/", views.plan_mark, name="plan_mark"),
    path("network/duplicates/", views.duplicates, name="duplicates"),
    path("network/duplicates/merge/", views.merge, name="merge"),
    path("network/duplicates/dismiss/", views.duplicate_dismiss_view, name="duplicate_dismiss"),
    path("network/merges/<int:pk>/undo/", views.merge_undo_view, name="merge_undo"),
    path("network/", include("cercle.people.debrief.urls")),  # the debrief: what the network brought
    path("network/<int:pk>/", views.detail, name="detail"),
    path("network/<int:pk>/edit/", views.edit, name="edit"),
    path("network/<int:pk>/notes/", views.note_add, name="note_add"),
    path("network/", include("cercle.people.importing.urls")),  # vCard and CSV imports
    path("network/", include("cercle.people.privacy.urls")),  # export and erase one person
    path("network/", include("cercle.people.introductions.urls")),  # introductions, thanks, ledger
    path("network/", include("cercle.people.paths")),  # warm introduction paths
    path("network/", include("cercle.people.matches")),  # matchmaking
]
