"""Offers fixtures on top of the shared ones (root, tree, unit, accounts): the film studio's free rides for the
residents of 天庆嘉园社区, booked at least 24 hours ahead, and a session three days from now."""

import datetime

import pytest
from django.utils import timezone

from offers.services import offer_create, session_create
from people import scopes


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def provider(accounts):
    return accounts["unit_admin"]


@pytest.fixture
def resident(accounts):
    return scopes.person_of(accounts["resident"])


@pytest.fixture
def offer(provider, unit, tree):
    return offer_create(actor=provider, kind="transport", name="爱心送考免费接送", organisation=unit["organisation"],
                        communities=[tree["tqjy"]], min_notice_hours=24, horizon_days=30, is_published=True)


@pytest.fixture
def session(offer, provider, now):
    start = now + datetime.timedelta(days=3)
    return session_create(actor=provider, offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                          capacity=2)
