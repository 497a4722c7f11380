from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.circulation.selectors import request_get_for_user
from cercle.projects.models import Project


def project_get_for_user(*, user: User, request_id: int) -> Project:
    """Fetch-and-authorize through the request: whoever may see the request may see its project."""
    request = request_get_for_user(user=user, request_id=request_id)
    project = (
        Project.objects.select_related("lead", "request", "request__requester")
        .prefetch_related("team", "checklist")
        .filter(request=request)
        .first()
    )
    if project is None:
        raise Http404(_("This request has no project yet."))
    return project
