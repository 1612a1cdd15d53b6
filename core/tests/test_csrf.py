"""An expired form (CSRF failure): a Chinese page that keeps what was typed, and sends it again only for a form
of this site."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
HERE = "http://testserver"


@pytest.fixture
def expired(accounts):
    """A signed-in browser whose form token expired: the CSRF cookie it holds no longer matches the form's."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(accounts["resident"])
    client.get(reverse("needs:submit"))  # sets the CSRF cookie
    return client


def expired_post(client, origin=HERE, **fields):
    return client.post(reverse("needs:submit"), {"csrfmiddlewaretoken": "A" * 64, **fields},
                       headers={"origin": origin, "referer": f"{origin}/needs/submit/"})


def test_it_says_in_chinese_that_the_form_expired_and_keeps_the_text(expired, tree):
    response = expired_post(expired, title="楼道灯坏了", description="三楼到五楼\n晚上很黑",
                            place=tree["building"].code)
    page = response.content.decode()
    assert response.status_code == 403 and "表单已过期" in page and "DEBUG" not in page
    assert "楼道灯坏了" in page and "三楼到五楼<br>晚上很黑" in page
    assert 'name="description" value="三楼到五楼\n晚上很黑"' in page  # sent again as typed
    assert 'href="http://testserver/needs/submit/"' in page  # back to the form


def test_it_sends_the_kept_fields_again_with_a_fresh_token(expired, tree):
    from needs.models import Need

    page = expired_post(expired, title="楼道灯坏了", place=tree["building"].code, affected="2").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.split('<main')[1])[1]
    kept = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.split('<main')[1]))
    assert kept.pop("csrfmiddlewaretoken") == token
    assert kept == {"title": "楼道灯坏了", "place": tree["building"].code, "affected": "2"}
    response = expired.post(reverse("needs:submit"), {**kept, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Need.objects.get().title == "楼道灯坏了"


def test_it_never_shows_or_resends_a_password(accounts):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "resident1", "password": "pass-12345",
                                              "csrfmiddlewaretoken": "A" * 64},
                           headers={"origin": HERE})
    page = response.content.decode()
    assert response.status_code == 403 and "pass-12345" not in page and "重新提交" not in page
    assert "密码不会被保留" in page


def test_it_refuses_a_post_from_another_site_without_offering_to_send_it(expired, tree):
    response = expired_post(expired, origin="https://evil.example", title="转账给我")
    page = response.content.decode()
    assert response.status_code == 403 and "不是从本网站的页面提交的" in page
    assert "转账给我" not in page and "重新提交" not in page and "evil.example" not in page
