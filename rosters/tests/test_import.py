from core.models import Event
from places.models import Place
from rosters.tests.helpers import upload

PLACE_HEADER = ["编码", "名称", "类型", "上级编码", "面积（平方公里）", "楼栋数", "户数", "人口"]


def test_smoke(client, accounts, tree):
    client.force_login(accounts["community_staff"])
    before = Event.objects.count()
    response, imp = upload(client, "places", [
        PLACE_HEADER,
        ["620102010001002", "天庆嘉园第二网格", "网格", "620102010001", "", "", "", ""],
        ["62010201000100", "坏编码", "网格", "620102010001", "", "", "", ""],
    ])
    print(response.content.decode())
    print(imp.counts)
    assert Event.objects.count() == before
    assert not Place.objects.filter(code="620102010001002").exists()
