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
