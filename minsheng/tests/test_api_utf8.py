"""The JSON API answers UTF-8 text, not \\u escapes (SPEC §9; minsheng.api.ReadableJSON): every GET operation of the
OpenAPI document, walked on the demo as a superuser and as a visitor — its path's ids filled from the demo, an id
it does not know with 1 (a 404 in the error shape is Chinese too) — so that a router added later cannot regress."""

import re

import pytest
from django.test import Client

from mediation.models import Dispute
from meetings.models import Meeting
from needs.models import Category, Need
from offers.models import Booking, Offer
from people.services import api_token_issue
from places.models import Place
from sites.models import Loan, Site
from volunteering.models import Activity

# A \u escape of a CJK character or CJK punctuation (。，：…), which a reader of the response or a log cannot read.
CJK_ESCAPE = re.compile(r"\\u(?:3[0-9a-f]{3}|[4-9][0-9a-f]{3}|f[0-9a-f]{3})", re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")


def demo_ids() -> dict[str, str]:
    """A demo record for each path parameter the API names."""
    first = lambda model, **f: str(model.objects.filter(**f).order_by("pk").values_list("pk", flat=True)[0])  # noqa: E731
    return {"code": Place.objects.filter(kind="community").order_by("code").values_list("code", flat=True)[0],
            "need_id": first(Need), "category_id": first(Category), "offer_id": first(Offer),
            "booking_id": first(Booking), "station_id": first(Site, kind="station"), "loan_id": first(Loan),
            "activity_id": first(Activity, is_published=True), "meeting_id": first(Meeting),
            "dispute_id": first(Dispute)}


@pytest.fixture(scope="module")
def urls(demo_db, django_db_blocker):
    with django_db_blocker.unblock():
        document = Client().get("/api/v1/openapi.json").json()
        ids = demo_ids()
    paths = [path for path, operations in document["paths"].items() if "get" in operations]
    return [re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "1"), path) for path in paths]


@pytest.mark.parametrize("who", ["superuser", "visitor"])
def test_every_get_operation_answers_utf8_text_not_escapes(db, urls, who):
    from django.contrib.auth.models import User

    headers = {}
    if who == "superuser":
        token, _row = api_token_issue(user=User.objects.filter(is_superuser=True).order_by("pk").first())
        headers = {"Authorization": f"Bearer {token}"}
    client, escaped, not_utf8, readable = Client(), [], [], 0
    for url in urls:
        response = client.get(url, headers=headers)
        text = response.content.decode("utf-8")
        if not re.search(r"application/json;\s*charset=utf-8", response["Content-Type"], re.IGNORECASE):
            not_utf8.append((url, response.status_code, response["Content-Type"]))
        if CJK_ESCAPE.search(text):
            escaped.append((url, response.status_code, CJK_ESCAPE.search(text).group()))
        readable += bool(CJK.search(text))
    assert escaped == [] and not_utf8 == []
    assert readable >= len(urls) // 2, "the walk read too little Chinese to tell (an empty demo?)"
