"""The clocks' page: each stage's limit, the escalation delay and the digest, set by the leader or the
second; the dashboard and the "late" badges read what it sets."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cercle.circulation.models import ClockSettings
from cercle.circulation.selectors import dashboard
from tests.conftest import login
from tests.factories import RequestFactory


def _form_data(client) -> dict[str, object]:
    form = client.get(reverse("circulation:clock_settings")).context["form"]
    data = {name: form.initial.get(name) for name in form.fields}
    data["digest_time"] = data["digest_time"].strftime("%H:%M")
    return {k: v for k, v in data.items() if v is not False and v is not None}


def test_the_page_shows_the_environment_s_limits_until_someone_saves_it(second, settings):
    settings.CERCLE = {
        **settings.CERCLE,
        "STAGE_LIMITS_HOURS": {**settings.CERCLE["STAGE_LIMITS_HOURS"], "received": 12},
    }
    response = login(second).get(reverse("circulation:clock_settings"))
    assert response.status_code == 200
    assert response.context["form"].initial["triage_hours"] == 12
    page = response.content.decode()
    assert "Tri (le second retient ou écarte)" in page and "Le récapitulatif du leader" in page


def test_a_limit_set_on_the_page_is_what_the_dashboard_and_the_late_badges_read(leader, second):
    kept = RequestFactory(state="kept", state_changed_at=timezone.now() - timedelta(hours=5))
    assert not kept.is_overdue  # 48 h by default
    client = login(second)
    data = _form_data(client)
    data["leader_hours"] = 4

    response = client.post(reverse("circulation:clock_settings"), data)

    assert response.status_code == 302, response.context["form"].errors
    assert ClockSettings.objects.get().leader_hours == 4
    kept.refresh_from_db()
    assert kept.is_overdue
    row = next(s for s in dashboard().stages if s.state == "kept")
    assert (row.overdue, row.limit_hours) == (1, 4)
    validation = login(leader).get(reverse("circulation:validation")).content.decode()
    assert 'class="badge late"' in validation


def test_a_wrong_value_is_refused_with_a_message(second):
    client = login(second)
    data = _form_data(client)
    data["escalation_hours"] = 0
    response = client.post(reverse("circulation:clock_settings"), data)
    assert response.status_code == 400
    assert ClockSettings.objects.count() == 0
    # Below zero: one message, the form's bound (not the model's 0 as well).
    data["escalation_hours"] = -1
    errors = (
        client.post(reverse("circulation:clock_settings"), data).context["form"].errors["escalation_hours"]
    )
    assert len(errors) == 1 and "1" in errors[0]


def test_only_the_leader_and_the_second_open_the_page(member, admin_user, leader):
    url = reverse("circulation:clock_settings")
    assert login(leader).get(url).status_code == 200
    assert login(member).get(url).status_code == 403
    assert login(admin_user).get(url).status_code == 403


def test_the_settings_page_links_to_the_clocks(second):
    page = login(second).get(reverse("intake:settings")).content.decode()
    assert reverse("circulation:clock_settings") in page
