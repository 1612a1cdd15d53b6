"""The need form filled in from a QR poster (?place=<code>, places.posters): the place chosen and the channel
QR; a code that names no place, or a place a need is not about, said in words and the form shown without it."""

import pytest
from django.urls import reverse

from needs.models import Channel, Need

pytestmark = pytest.mark.django_db


def test_a_scanned_code_fills_in_the_place_and_the_need_comes_through_the_qr_channel(client, tree):
    building = tree["building"]
    page = client.get(reverse("needs:submit"), {"place": building.code}).content.decode()
    assert "您扫描了" in page or "You scanned" in page
    assert f'value="{building.code}"' in page and 'name="from_qr" value="1"' in page
    got = client.post(reverse("needs:submit") + f"?place={building.code}",
                      {"title": "楼道灯不亮", "place": building.code, "affected": "1", "from_qr": "1"})
    assert got.status_code == 302
    need = Need.objects.get()
    assert need.place == building and need.channel == Channel.QR


def test_a_resident_signed_in_gets_the_scanned_place_not_their_home(client, tree, accounts):
    client.force_login(accounts["resident"])  # lives at 1号楼2单元
    page = client.get(reverse("needs:submit"), {"place": tree["compound2"].code}).content.decode()
    assert f'value="{tree["compound2"].code}"' in page and f'value="{tree["entrance"].code}"' not in page


@pytest.mark.parametrize("code", ["620102010001999", "x<script>", "长" * 300, "1e30", "-1"])
def test_a_code_of_no_place_is_said_in_words_and_the_form_is_shown(client, tree, code):
    got = client.get(reverse("needs:submit"), {"place": code})
    page = got.content.decode()
    assert got.status_code == 200 and "找不到对应的地点" in page and 'role="alert"' in page
    assert 'name="from_qr"' not in page and "<script>" not in page
    assert Need.objects.count() == 0


def test_a_place_above_a_community_is_said_in_words(client, tree):
    page = client.get(reverse("needs:submit"), {"place": tree["subdistrict"].code}).content.decode()
    assert "诉求须针对社区或社区内的地点，不能是拱星墩街道" in page and 'name="from_qr"' not in page


def test_no_code_no_words(client, tree):
    page = client.get(reverse("needs:submit")).content.decode()
    assert 'role="alert"' not in page
