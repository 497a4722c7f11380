from django.urls import path

from cercle.mailsync import views

app_name = "mailsync"

urlpatterns = [
    path("mailboxes/", views.account_list, name="list"),
    path("mailboxes/new/", views.account_edit, name="new"),
    path("mailboxes/new/test/", views.account_test, name="test_new"),
    path("mailboxes/<int:pk>/", views.account_edit, name="edit"),
    path("mailboxes/<int:pk>/delete/", views.account_delete, name="delete"),
    path("mailboxes/<int:pk>/test/", views.account_test, name="test"),
    path("mailboxes/tests/<int:test_id>/", views.account_test_result, name="test_result"),
    path("mailboxes/<int:pk>/sync/", views.account_sync, name="sync"),
    path("mailboxes/<int:pk>/progress/", views.account_progress, name="progress"),
    path("mailboxes/<int:pk>/failures/", views.account_failures, name="failures"),
    path("mailboxes/<int:pk>/failures/retry/", views.failures_retry, name="failures_retry"),
    path("mailboxes/failures/<int:entry_id>/retry/", views.failure_retry, name="failure_retry"),
]
