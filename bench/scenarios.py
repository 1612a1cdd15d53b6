"""What the scenarios ask for, from the fixtures (bench/fixtures.py): shared by bench.run (under load) and
bench.profile (in-process). No Django here: bench.run never sets it up."""


def list_paths(fx: dict) -> dict[str, str]:
    """The list scenarios' URLs (a deep keyset page of a community), for bench.run and bench.profile alike."""
    community, cursor = fx["community"], fx["cursor"]
    return {"bare_list": f"/bare/list?tab=done&community={community}&before={cursor}",
            "api_list": f"/api/v1/needs?community={community}&state=closed&before={cursor}&limit=20",
            "board": f"/needs/?tab=done&community={community}&before={cursor}"}


def apps_paths(fx: dict) -> dict[str, str]:
    """The new apps' hot reads: a community's offers and activities (page and API), and its bookings (API)."""
    community = fx["community"]
    return {"offers_page": f"/offers/?community={community}", "offers_api": f"/api/v1/offers?community={community}",
            "activities_page": f"/volunteering/?community={community}",
            "activities_api": f"/api/v1/activities?place={community}"}


def submitted(fx: dict, i: int) -> dict:
    """The i-th need the submit scenario sends: a street light out in one of the grid's buildings."""
    return {"title": f"路灯不亮{i}", "description": "晚上很黑", "place": fx["buildings"][i % len(fx["buildings"])],
            "category": fx["category"]}
