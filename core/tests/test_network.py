"""The client's address, behind nginx and without it (core.network.client_ip, used by django-axes and the
submission limit)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from core.network import client_ip


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta)


def test_without_a_proxy_the_forwarded_header_is_ignored(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.1"


def test_behind_nginx_the_address_nginx_appended_counts_not_one_the_client_sent(settings):
    settings.BEHIND_PROXY = True
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request()) == "10.0.0.1"


@pytest.mark.django_db
def test_two_clients_behind_nginx_get_two_submission_buckets(settings):
    from needs.ratelimit import CAPACITY, submission_allowed

    def visitor(address):
        request = _request(HTTP_X_FORWARDED_FOR=address)
        request.user = AnonymousUser()
        return request

    settings.BEHIND_PROXY = True
    assert [submission_allowed(visitor("203.0.113.7")) for _ in range(CAPACITY + 1)][-1] is False
    assert submission_allowed(visitor("203.0.113.8")) is True
