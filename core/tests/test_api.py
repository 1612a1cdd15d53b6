"""The API as a whole: its OpenAPI document and its one error shape."""

import json

import pytest


@pytest.mark.django_db
def test_it_publishes_a_valid_openapi_document_with_every_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/auth/token", "/api/v1/places", "/api/v1/places/{code}"} <= set(document["paths"])
    assert "BearerTokenAuth" in document["components"]["securitySchemes"]


@pytest.mark.django_db
def test_it_answers_a_malformed_token_request_in_the_one_error_shape(client):
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("请求内容有误")
    assert body["errors"]["password"] == ["此项必填 / This field is required"]  # the needs API's shape too


def _error_shape(response, status):
    """The one error shape: JSON with a Chinese-first `detail`, never an HTML page."""
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"][:1] > "\u2e80"  # begins with a CJK character
    return body


@pytest.fixture
def staff_client(client, accounts):
    client.force_login(accounts["community_staff"])
    return client


@pytest.mark.django_db
def test_a_url_no_operation_matches_answers_json_404(client):
    for url in ["/api/v1/needs/null%2Cnull", "/api/v1/nothing-here", "/api/v1/needs/-1/actions/claim"]:
        _error_shape(client.get(url), 404)


@pytest.mark.django_db
def test_a_body_that_cannot_be_read_is_400_in_the_one_shape(staff_client):
    for body in [b"{not json", b"\xff\xfe", b'{"title": "\\u0000", "place": "620102010001"}']:
        _error_shape(staff_client.post("/api/v1/needs", body, content_type="application/json"), 400)
    # A multipart body without its boundary (django raises while reading the form).
    _error_shape(staff_client.post("/api/v1/auth/token", b"x", content_type="multipart/form-data"), 400)


@pytest.mark.django_db
def test_a_nul_in_a_query_string_is_400_not_a_database_error(staff_client):
    _error_shape(staff_client.get("/api/v1/places", {"q": "天庆\x00"}), 400)


@pytest.mark.django_db
@pytest.mark.parametrize("url, field", [
    ("/api/v1/needs/99999999999999999999", "need_id"),
    ("/api/v1/needs?before=99999999999999999999", "before"),
    ("/api/v1/needs?category=9223372036854775808", "category"),
    ("/api/v1/places?offset=99999999999999999999", "offset"),
    ("/api/v1/places?limit=0", "limit"),
])
def test_numbers_beyond_their_bounds_are_field_errors_in_chinese(staff_client, url, field):
    body = _error_shape(staff_client.get(url), 422)
    [message] = body["errors"][field]
    assert message.startswith(("不能大于", "不能小于")), message


@pytest.mark.django_db
def test_an_unknown_key_in_a_body_is_refused_by_name(staff_client, tree):
    response = staff_client.post("/api/v1/needs", {"title": "路灯不亮", "place": tree["tqjy"].code, "state": "closed"},
                                 content_type="application/json")
    assert _error_shape(response, 422)["errors"] == {"state": ["不接受此字段 / Extra inputs are not permitted"]}


@pytest.mark.django_db
def test_a_fault_in_a_view_is_logged_and_answered_as_json_500(staff_client, monkeypatch, caplog):
    import needs.selectors

    def broken(*args, **kwargs):
        raise RuntimeError("a fault")

    monkeypatch.setattr(needs.selectors, "needs_visible_to", broken)
    staff_client.raise_request_exception = False
    _error_shape(staff_client.get("/api/v1/needs"), 500)
    assert "RuntimeError: a fault" in caplog.text


@pytest.mark.django_db
def test_json_is_sent_as_readable_utf8(staff_client, tree):
    response = staff_client.get(f"/api/v1/places/{tree['tqjy'].code}")
    assert "天庆嘉园社区".encode() in response.content and b"\\u" not in response.content


@pytest.mark.django_db
def test_every_operation_documents_the_errors_it_may_answer(client):
    document = client.get("/api/v1/openapi.json").json()
    assert {"Detail", "FieldErrors"} <= set(document["components"]["schemas"])
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"400", "404", "422", "500"} <= documented, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= documented, (method, path)


@pytest.mark.django_db
def test_a_method_an_endpoint_does_not_take_is_json_405_with_allow(staff_client):
    response = staff_client.delete("/api/v1/places")
    _error_shape(response, 405)
    assert "GET" in response["Allow"]


def test_a_refusal_of_the_whole_request_says_why_in_its_detail():
    from django.core.exceptions import ValidationError

    from core.api import MESSAGES, refused

    answer = refused(ValidationError("需至少提前24小时预约，最早可预约：12月3日 09:00"))
    status, body = answer.status_code, answer.value
    assert status == 422 and body["detail"] == "需至少提前24小时预约，最早可预约：12月3日 09:00"
    assert body["errors"] == {"__all__": ["需至少提前24小时预约，最早可预约：12月3日 09:00"]}
    body = refused(ValidationError({"seats": "最多10个名额"})).value
    assert body["detail"] == MESSAGES[422] and body["errors"] == {"seats": ["最多10个名额"]}
