"""Submissions probed: the number of people affected is bounded (NEEDS_AFFECTED_MAX) with the same Chinese message
by the form and the API; one rate-limit bucket per person across the form and the API, whatever the role
(staff who record for residents excepted), per client address for the public."""

import pytest
from django.urls import reverse

from needs.models import Need
from needs.tests.test_api import call  # noqa: F401 (a fixture)

REFUSAL = "涉及人数须为 1 到 100,000 之间的整数"


@pytest.mark.parametrize("affected", [2**62, 2**70, 0, 100_001])
def test_the_form_refuses_a_number_of_people_affected_out_of_bounds(client, accounts, tree, affected):
    client.force_login(accounts["resident"])
    response = client.post(reverse("needs:submit"), {"title": "楼道灯不亮", "place": tree["building"].code,
                                                     "affected": str(affected)})
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert not Need.objects.exists()


@pytest.mark.parametrize("affected", [2**62, 2**70, 0, 100_001, "很多"])
def test_the_api_answers_422_for_a_number_of_people_affected_out_of_bounds(call, accounts, tree, affected):  # noqa: F811
    response = call(accounts["resident"], "post", "", {"title": "楼道灯不亮", "place": tree["building"].code,
                                                       "affected": affected})
    assert response.status_code == 422
    assert response.json()["errors"] == {"affected": [REFUSAL + "。"]}
    assert not Need.objects.exists()


def test_the_bound_itself_is_accepted_by_form_and_api(client, call, accounts, tree):  # noqa: F811
    client.force_login(accounts["resident"])
    client.post(reverse("needs:submit"), {"title": "加装电梯", "place": tree["building"].code, "affected": "100000"})
    response = call(accounts["resident"], "post", "", {"title": "加装电梯", "place": tree["building"].code,
                                                       "affected": 100_000})
    assert response.status_code == 201
    assert list(Need.objects.values_list("affected", flat=True)) == [100_000, 100_000]


def test_the_service_reads_the_setting(accounts, tree, settings):
    from django.core.exceptions import ValidationError

    from needs.services import need_submit

    settings.NEEDS_AFFECTED_MAX = 50
    with pytest.raises(ValidationError) as refused:
        need_submit(actor=accounts["resident"], title="x", place=tree["building"], affected=51)
    assert "1 到 50 之间" in str(refused.value)


@pytest.fixture
def submit(client, call, tree):  # noqa: F811
    """Submit once by the form (as the logged-in user, or the public) or by the API: True when accepted."""
    def submit(user, channel, n, fields=None, **extra):
        data = {"title": f"问题{n}", "place": tree["building"].code, "affected": 1, **(fields or {})}
        if channel == "api":
            return call(user, "post", "", data).status_code == 201
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        response = client.post(reverse("needs:submit"), data, **extra)
        return response.status_code == 302
    return submit


@pytest.mark.parametrize("role", ["resident", "unit_admin", "party_member"])
def test_one_bucket_per_person_across_the_form_and_the_api(submit, accounts, role, settings):
    user = accounts[role]
    taken = [submit(user, "api", i) for i in range(3)] + [submit(user, "form", i) for i in range(3, 5)]
    assert taken == [True] * settings.NEEDS_SUBMIT_BURST
    assert not submit(user, "form", 5) and not submit(user, "api", 6)
    assert Need.objects.count() == settings.NEEDS_SUBMIT_BURST


def test_the_api_answers_429_with_a_chinese_message(call, accounts, tree, settings):  # noqa: F811
    data = {"title": "问题", "place": tree["building"].code}
    for _i in range(settings.NEEDS_SUBMIT_BURST):
        call(accounts["unit_admin"], "post", "", data)
    refused = call(accounts["unit_admin"], "post", "", data)
    assert refused.status_code == 429 and "提交过于频繁" in refused.json()["detail"]


@pytest.mark.parametrize("role", ["grid_worker", "community_staff"])
def test_staff_who_record_for_residents_are_not_limited(submit, accounts, role, settings):
    user = accounts[role]
    n = settings.NEEDS_SUBMIT_BURST + 2
    recorded = {"channel": "field_visit", "concern_level": "annoyance"}
    assert all(submit(user, "api", i) for i in range(n))
    assert all(submit(user, "form", i, recorded) for i in range(n))


def test_the_public_has_one_bucket_per_address(submit, settings):
    burst = settings.NEEDS_SUBMIT_BURST
    first = [submit(None, "form", i, REMOTE_ADDR="203.0.113.7") for i in range(burst + 1)]
    assert first == [True] * burst + [False]
    assert submit(None, "form", 99, REMOTE_ADDR="203.0.113.8")  # another address, its own bucket
