"""Open311 GeoReport v2 (/open311/v2/): a real client written by someone else (PyPI `georeport`) reads our
services and requests from a live server; POST over HTTP, form-encoded as the spec's example; bad input answered
by the spec's list of errors with nothing written; only what the public may read."""

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
import requests
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from georeport import GeoReport
from PIL import Image

from core.models import Event
from interop.models import Open311Client
from interop.services import key_hash, open311_client_issue, open311_client_revoke
from needs.models import Category, Channel, Need, State
from needs.services import need_accept, need_claim, need_dispatch, need_publish, need_resolve
from people.services import person_create
from places.models import Place

V2 = "/open311/v2"
POINT_IN_GRID1 = {"lat": "36.055", "long": "103.885"}  # inside 天庆嘉园第一网格's boundary (conftest's tree)


@pytest.fixture
def category(db):
    return Category.objects.get_or_create(name="加装电梯", defaults={"keywords": "电梯, 加装电梯咨询"})[0]


@pytest.fixture
def issued(root):
    return open311_client_issue(actor=root, name="兰州市12345热线", channel=Channel.OPEN311)


def form(key, category, **fields):
    """The spec's example of POST requests, every field of it."""
    return {"api_key": key, "service_code": str(category.pk), **POINT_IN_GRID1, "address_string": "天庆嘉园A区",
            "email": "caller@example.com", "device_id": "tt222111", "account_id": "123456", "first_name": "三",
            "last_name": "张", "phone": "13912345678", "description": "路灯不亮\n天庆嘉园A区门口的路灯坏了三天",
            "media_url": "http://example.com/photo.jpg", "attribute[concern_level]": "worry",
            "attribute[affected]": "12", **fields}


def publish(need, staff, category):
    need = need_accept(actor=staff, need=need, category=category, concern_level="worry")
    return need_publish(actor=staff, need=need)


def test_georeport_reads_services_and_a_request_filed_by_post_over_http(live_server, tree, accounts, unit, category,
                                                                        issued, settings):
    client, key = issued
    root = f"{live_server.url}{V2}"
    geo = GeoReport(root, jurisdiction=settings.OPEN311_JURISDICTION)
    service = next(s for s in geo.get_service_list() if s["service_code"] == str(category.pk))
    assert (service["service_name"], service["keywords"], service["metadata"], service["type"]) == (
        category.name, category.keywords, True, "realtime")
    definition = geo.get_service_definition(str(category.pk))
    assert [a["code"] for a in definition["attributes"]] == ["concern_level", "affected", "is_public"]
    assert {v["key"] for v in definition["attributes"][0]["values"]} == {"annoyance", "worry", "anguish"}

    answer = requests.post(f"{root}/requests.json", data=form(key, category))
    assert answer.status_code == 201 and answer.headers["Content-Type"] == "application/json; charset=utf-8"
    [filed] = answer.json()
    need = Need.objects.get(reference=filed["token"])
    assert (need.channel, need.state, need.place, need.title, need.concern_level, need.affected) == (
        Channel.OPEN311, State.SUBMITTED, tree["grid1"], "路灯不亮", "worry", 12)  # routed by lat/long
    assert (need.contact_name, need.contact_phone, need.category) == ("张三", "13912345678", category)
    assert Event.objects.filter(verb="need.submit", subject_id=str(need.pk)).exists()
    # Waiting for staff: the token only.
    assert requests.get(f"{root}/tokens/{filed['token']}.json").json() == [{"token": filed["token"]}]
    with pytest.raises(requests.HTTPError):
        geo.get_service_request(str(need.pk))

    staff = accounts["community_staff"]
    need = publish(need, staff, category)
    assert requests.get(f"{root}/tokens/{filed['token']}.json").json() == [
        {"service_request_id": need.pk, "token": filed["token"]}]
    read = geo.get_service_request(str(need.pk))
    assert (read["status"], read["service_code"], read["service_name"]) == ("open", str(category.pk), "加装电梯")
    assert (read["address"], read["address_id"]) == ("天庆嘉园社区 › 天庆嘉园第一网格", tree["grid1"].code)
    assert read["expected_datetime"] and "lat" not in read and "media_url" not in read  # a grid's polygon: no point
    assert "张三" not in json.dumps(read, ensure_ascii=False) and "13912345678" not in json.dumps(read)
    assert need.pk in [r["service_request_id"] for r in geo.get_service_requests(status="open")]

    unit_admin = accounts["unit_admin"]
    need = need_claim(actor=unit_admin, need=need, organisation=unit["organisation"])
    need_resolve(actor=unit_admin, need=need, note="已修好，张三到场确认", evidence="居民签字确认单")
    closed = GeoReport(root, output_format="xml").get_service_request(str(need.pk))  # XML, parsed by xmltodict
    assert (closed["status"], closed["status_notes"], closed["agency_responsible"]) == (
        "closed", "已修好，某某到场确认", "兰州电影制片厂")
    assert closed["expected_datetime"] is None  # done: no deadline
    assert need.pk in [int(r["service_request_id"]) for r in geo.get_service_requests(status="closed")]
    assert need.pk not in [r["service_request_id"] for r in geo.get_service_requests(status="open")]


# --- Bad input: the error list, nothing written ------------------------------------------------------------

def counts():
    return Need.objects.count(), Event.objects.count()


def errors_of(response, fmt="json"):
    """The spec's list of errors, parsed: [(code, description)]."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return [(e["code"], e["description"]) for e in json.loads(response.content)]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return [(int(e.findtext("code")), e.findtext("description")) for e in ET.fromstring(response.content)]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("change, status, words", [
    ({"service_code": ""}, 400, "缺少 service_code"),
    ({"service_code": "999999"}, 400, "找不到服务"),
    ({"service_code": "电梯"}, 400, "找不到服务"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "缺少位置"),
    ({"lat": "", "long": "", "address_string": "", "address_id": "620102010009"}, 400, "找不到地点编码"),
    ({"lat": "", "long": "", "address_string": "天庆嘉园"}, 400, "对应多个地点"),
    ({"lat": "", "long": "", "address_string": "火星基地"}, 400, "找不到地址"),
    ({"lat": "0", "long": "0"}, 400, "不在本辖区任何网格内"),
    ({"lat": "36.055"} | {"long": ""}, 400, "缺少 long"),
    ({"lat": "north"}, 400, "不是有效的坐标"),
    ({"lat": "nan"}, 400, "不是有效的坐标"),
    ({"description": "井" * 4001}, 400, "最多 4,000 字"),
    ({"description": "  "}, 400, "缺少 description"),
    ({"attribute[concern_level]": "panic"}, 400, "concern_level"),
    ({"attribute[affected]": "0"}, 400, "1"),
    ({"phone": "12345"}, 400, "phone"),
    ({"api_key": "wrong"}, 403, "api_key 无效"),
    ({"api_key": ""}, 403, "api_key 无效"),
    ({"jurisdiction_id": "beijing"}, 404, "找不到辖区"),
    ({"description": "井盖\x00丢了"}, 400, "空字符"),
])
def test_a_bad_request_is_refused_in_the_error_list_and_writes_nothing(tree, category, issued, fmt, change, status,
                                                                       words):
    before = counts()
    response = Client().post(f"{V2}/requests.{fmt}", form(issued[1], category, **change))
    [(code, description)] = errors_of(response, fmt)
    assert (response.status_code, code) == (status, status)
    assert words in description and " / " in description  # Chinese first, then English
    assert counts() == before


def test_a_revoked_key_is_refused(tree, category, issued, root):
    client, key = issued
    open311_client_revoke(actor=root, client=client)
    before = counts()
    response = Client().post(f"{V2}/requests.json", form(key, category))
    assert response.status_code == 403 and errors_of(response)[0][0] == 403
    assert counts() == before


def test_a_place_by_its_code_or_its_name(tree, category, issued):
    key = issued[1]
    by_code = Client().post(f"{V2}/requests.json", form(key, category, lat="", long="",
                                                         address_id=tree["building"].code))
    by_name = Client().post(f"{V2}/requests.xml", form(key, category, lat="", long="", address_string="1号楼2单元"))
    assert by_code.status_code == by_name.status_code == 201
    token = ET.fromstring(by_name.content).find("request").findtext("token")
    assert Need.objects.get(reference=json.loads(by_code.content)[0]["token"]).place == tree["building"]
    assert Need.objects.get(reference=token).place == tree["entrance"]


def test_the_client_is_limited_and_its_last_use_kept(tree, category, issued, settings):
    settings.OPEN311_BURST, settings.OPEN311_PER_HOUR = 1, 0
    client, key = issued
    assert Client().post(f"{V2}/requests.json", form(key, category)).status_code == 201
    client.refresh_from_db()
    assert client.last_used_at is not None
    before = counts()
    response = Client().post(f"{V2}/requests.json", form(key, category))
    assert response.status_code == 429 and errors_of(response)[0][0] == 429
    assert counts() == before


@pytest.mark.parametrize("url, status, words", [
    ("requests/999999.json", 404, "找不到请求"),
    ("requests/abc.xml", 404, "找不到请求"),
    ("tokens/ZZZZZZZZ.json", 404, "找不到令牌"),
    ("services/999999.json", 404, "找不到服务"),
    ("requests.json?start_date=yesterday", 400, "start_date"),
    ("requests.json?end_date=2021-13-45T00:00:00Z", 400, "end_date"),
    ("requests.json?status=pending", 400, "status"),
    ("requests.json?service_request_id=1,x", 400, "service_request_id"),
    ("requests.json?page_size=1001", 400, "page_size"),
    ("services.json?jurisdiction_id=beijing", 404, "找不到辖区"),
    ("requests.csv", 404, "找不到该接口"),
    ("requests.xml?status=open%00", 400, "空字符"),
])
def test_bad_reads_answer_the_error_list(db, url, status, words):
    response = Client().get(f"{V2}/{url}")
    [(code, description)] = errors_of(response, "xml" if url.split("?")[0].endswith(".xml") else "json")
    assert (response.status_code, code) == (status, status) and words in description


def test_other_methods_are_405_in_the_error_shape(db):
    response = Client().put(f"{V2}/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET" and errors_of(response)[0][0] == 405
    assert Client().post(f"{V2}/services.xml").status_code == 405


# --- What a client reads: only what the public may, as the public reads it ----------------------------------

def test_requests_show_only_public_needs_as_the_public_reads_them(tree, accounts, unit, category, issued, root):
    key, staff = issued[1], accounts["community_staff"]
    neighbour = person_create(actor=root, name="李建国", phone="13911112222", home=tree["entrance"], room="502",
                              is_resident=True)
    description = "井盖松动\n李建国家门口，王五说很危险，电话13911112222，1号楼2单元502室"
    filed = Client().post(f"{V2}/requests.json", form(key, category, description=description, first_name="五",
                                                      last_name="王", lat="", long="",
                                                      address_id=tree["compound"].code))
    need = publish(Need.objects.get(reference=json.loads(filed.content)[0]["token"]), staff, category)
    private = Client().post(f"{V2}/requests.json", form(key, category, **{"attribute[is_public]": "false"}))
    hidden = need_accept(actor=staff, need=Need.objects.get(reference=json.loads(private.content)[0]["token"]),
                         category=category, concern_level="worry")
    hidden = need_dispatch(actor=staff, need=hidden, organisation=unit["organisation"])  # private: never published
    waiting = Client().post(f"{V2}/requests.json", form(key, category))
    waiting = Need.objects.get(reference=json.loads(waiting.content)[0]["token"])

    listed = json.loads(Client().get(f"{V2}/requests.json").content)
    assert [r["service_request_id"] for r in listed] == [need.pk]  # not the private one, nor the one waiting
    one = json.loads(Client().get(f"{V2}/requests/{need.pk}.json").content)
    for row in (listed[0], one[0]):
        text = json.dumps(row, ensure_ascii=False)
        for personal in (neighbour.name, "王五", "13911112222", "502室"):
            assert personal not in text
        assert row["description"].startswith("井盖松动\n某某家门口，某某说很危险，电话139****2222")
        assert (row["address_id"], row["address"]) == (tree["grid1"].code, "天庆嘉园社区 › 天庆嘉园第一网格")
    for other in (hidden, waiting):
        assert Client().get(f"{V2}/requests/{other.pk}.json").status_code == 404
        assert json.loads(Client().get(f"{V2}/tokens/{other.reference}.json").content) == [
            {"token": other.reference}]


def test_a_point_is_given_where_the_public_place_has_one(tree, accounts, category, issued):
    Place.objects.filter(pk=tree["wlpd"].pk).update(geometry={"type": "Point", "coordinates": [103.9, 36.04]})
    filed = Client().post(f"{V2}/requests.json", form(issued[1], category, lat="", long="",
                                                      address_id=tree["wlpd"].code))
    need = publish(Need.objects.get(reference=json.loads(filed.content)[0]["token"]),
                   accounts["subdistrict_admin"], category)
    [row] = json.loads(Client().get(f"{V2}/requests/{need.pk}.json").content)
    assert (row["lat"], row["long"], row["address_id"]) == (36.04, 103.9, tree["wlpd"].code)
    xml = ET.fromstring(Client().get(f"{V2}/requests/{need.pk}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request").findtext("lat") == "36.04"


def test_media_url_is_a_photo_anyone_may_open(tree, accounts, unit, category, issued, settings, tmp_path):
    settings.MEDIA_ROOT, settings.MEDIA_ACCEL_REDIRECT = tmp_path, ""
    filed = Client().post(f"{V2}/requests.json", form(issued[1], category))
    need = publish(Need.objects.get(reference=json.loads(filed.content)[0]["token"]), accounts["community_staff"],
                   category)
    assert "media_url" not in json.loads(Client().get(f"{V2}/requests/{need.pk}.json").content)[0]
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="JPEG")
    need = need_claim(actor=accounts["unit_admin"], need=need, organisation=unit["organisation"])
    need_resolve(actor=accounts["unit_admin"], need=need, note="已修好",
                 photos=[SimpleUploadedFile("p.jpg", out.getvalue(), "image/jpeg")])
    [row] = json.loads(Client().get(f"{V2}/requests.json?service_request_id={need.pk}").content)
    assert row["media_url"].startswith("http://testserver/media/needs/")
    assert Client().get(row["media_url"].removeprefix("http://testserver")).status_code == 200  # a visitor's


def test_the_list_pages_on_with_before_and_filters(tree, accounts, category, issued):
    staff, key = accounts["community_staff"], issued[1]
    needs = [publish(Need.objects.get(reference=json.loads(Client().post(
        f"{V2}/requests.json", form(key, category)).content)[0]["token"]), staff, category) for _ in range(3)]
    first = Client().get(f"{V2}/requests.json?page_size=2")
    assert [r["service_request_id"] for r in json.loads(first.content)] == [needs[2].pk, needs[1].pk]
    assert first["X-Next-Before"] == str(needs[1].pk) and 'rel="next"' in first["Link"]
    rest = Client().get(f"{V2}/requests.json?page_size=2&before={first['X-Next-Before']}")
    assert [r["service_request_id"] for r in json.loads(rest.content)] == [needs[0].pk] and "Link" not in rest
    chosen = json.loads(Client().get(f"{V2}/requests.json?service_request_id={needs[0].pk},{needs[2].pk}").content)
    assert {r["service_request_id"] for r in chosen} == {needs[0].pk, needs[2].pk}
    assert json.loads(Client().get(f"{V2}/requests.json?service_code=999999").content) == []
    assert json.loads(Client().get(f"{V2}/requests.json?end_date=2000-01-01T00:00:00Z").content) == []
    assert len(json.loads(Client().get(f"{V2}/requests.json?start_date=2000-01-01T00:00:00%2B08:00").content)) == 3


def test_discovery_and_services_in_both_formats(db, category):
    discovery = json.loads(Client().get(f"{V2}/discovery.json").content)
    assert discovery["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    xml = ET.fromstring(Client().get(f"{V2}/services.xml").content)
    assert xml.tag == "services" and str(category.pk) in [s.findtext("service_code") for s in xml.findall("service")]
    definition = ET.fromstring(Client().get(f"{V2}/services/{category.pk}.xml").content)
    assert definition.tag == "service_definition"
    assert [a.findtext("datatype") for a in definition.find("attributes")] == ["singlevaluelist", "number",
                                                                               "singlevaluelist"]


# --- The back office ---------------------------------------------------------------------------------------

def test_an_admin_issues_a_client_sees_its_key_once_and_revokes_it(root):
    admin = Client()
    admin.force_login(root)
    response = admin.post("/admin/interop/open311client/add/", {"name": "城市服务App", "channel": "open311",
                                                                "contact": "市大数据局"}, follow=True)
    client = Open311Client.objects.get(name="城市服务App")
    [message] = [str(m) for m in response.context["messages"] if "api_key" in str(m)]
    key = re.search(r"[A-Za-z0-9_-]{40,}", message)[0]  # secrets.token_urlsafe(32): 43 characters
    assert key.startswith(client.key_prefix) and Open311Client.objects.get(key_hash=key_hash(key)) == client
    assert Event.objects.filter(verb="open311_client_issue", subject_id=str(client.pk)).exists()
    assert key not in admin.get("/admin/interop/open311client/").content.decode()  # only its prefix is listed
    admin.post("/admin/interop/open311client/", {"action": "revoke", "_selected_action": [client.pk]})
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert Event.objects.filter(verb="open311_client_revoke", subject_id=str(client.pk)).exists()


def test_a_user_who_is_not_an_admin_cannot_issue(accounts):
    staff = User.objects.get(username="tqjy_staff")
    staff.is_staff = True
    staff.save()
    browser = Client()
    browser.force_login(staff)
    assert browser.post("/admin/interop/open311client/add/", {"name": "x", "channel": "open311"}).status_code in (
        302, 403)
    assert not Open311Client.objects.exists()
