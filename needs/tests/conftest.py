"""Needs fixtures on top of the shared ones (root, tree, unit, accounts)."""

import pytest
from django.contrib.auth.models import User

from needs.models import Category
from needs.services import need_act, need_submit


@pytest.fixture
def category(db):
    # get_or_create: transactional tests flush the categories the data migration seeded.
    return Category.objects.get_or_create(name="加装电梯", defaults={"keywords": "电梯, 加装电梯咨询"})[0]


@pytest.fixture
def department(root, tree):
    """招生办 of the district education bureau, with its admin account."""
    from people.services import organisation_create, role_grant

    org = organisation_create(actor=root, kind="government_department", name="城关区教育局招生办")
    user = User.objects.create_user("zsb_admin", password="pass-12345")
    role_grant(actor=root, user=user, role="unit_admin", organisation=org)
    return {"organisation": org, "admin": user}


@pytest.fixture
def second_unit(root, tree):
    from people.services import organisation_create

    return organisation_create(actor=root, kind="co_building_unit", name="中电万维智慧城市事业部")


@pytest.fixture
def submitted(accounts, tree, category):
    return need_submit(actor=accounts["resident"], title="4号楼3单元加装电梯", description="老人上下楼困难",
                       place=tree["building"], category=category)


@pytest.fixture
def published(submitted, accounts, category):
    staff = accounts["community_staff"]
    need = need_act(actor=staff, need=submitted, action="accept", category=category, concern_level="worry")
    return need_act(actor=staff, need=need, action="publish")


@pytest.fixture
def claimed(published, accounts):
    return need_act(actor=accounts["unit_admin"], need=published, action="claim")
