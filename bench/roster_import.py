"""Benchmark: preview and confirm a 100,000-row members roster through the pages, as a subdistrict admin.

    .venv/bin/python -m bench.roster_import [--rows 100000]

Runs on a fresh SQLite database in a temporary directory (never the app's own database), builds a
subdistrict with 4 communities, 20 grid branches and 28 units, writes the roster with xlsxwriter, then
times the upload (streamed check → preview), one preview page, the confirmation (check again + bulk
write) and a second upload of the same file (all rows unchanged), printing rows/s and the process's peak
resident memory after each step.
"""

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="minsheng-bench-"))
    os.environ.pop("DATABASE_URL", None)
    # HUEY_IMMEDIATE: the background task runs in this process, timed like the consumer would run it.
    os.environ.update(VAR_DIR=str(workdir), SQLITE_PATH=str(workdir / "bench.sqlite3"), HUEY_IMMEDIATE="1",
                      DJANGO_SETTINGS_MODULE="minsheng.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    admin, path = setup(workdir, args.rows)
    print(f"{args.rows} rows, file {path.stat().st_size / 2**20:.1f} MB, peak RSS after setup {peak_mb():.0f} MB")

    from rosters.models import RosterImport

    client = Client()
    client.force_login(admin)
    started = time.perf_counter()
    with open(path, "rb") as f:
        response = client.post("/rosters/members/upload", {"file": f})
    took = time.perf_counter() - started
    assert response.status_code == 302, response.content[:2000]
    imp = RosterImport.objects.get()
    print(f"preview: {took:.1f} s, {args.rows / took:,.0f} rows/s, counts {imp.counts}, peak RSS {peak_mb():.0f} MB")

    started = time.perf_counter()
    page = client.get(f"/rosters/imports/{imp.pk}/?page=1000")
    print(f"preview page 1000: {1000 * (time.perf_counter() - started):.0f} ms (status {page.status_code})")

    started = time.perf_counter()
    response = client.post(f"/rosters/imports/{imp.pk}/confirm")
    took = time.perf_counter() - started
    imp.refresh_from_db()
    print(f"confirm: {took:.1f} s, {args.rows / took:,.0f} rows/s, counts {imp.counts}, peak RSS {peak_mb():.0f} MB")

    from people.models import MemberReport, Person
    print(f"written: {Person.objects.count()} persons, {MemberReport.objects.filter(state='placed').count()} placed")

    # The same file again: every row is looked up as an existing member and found unchanged.
    started = time.perf_counter()
    with open(path, "rb") as f:
        client.post("/rosters/members/upload", {"file": f})
    took = time.perf_counter() - started
    again = RosterImport.objects.order_by("-created_at").first()
    print(f"re-import preview: {took:.1f} s, {args.rows / took:,.0f} rows/s, counts {again.counts}, "
          f"peak RSS {peak_mb():.0f} MB")


def setup(workdir: Path, rows: int):
    """The places, units and branches the roster refers to, made through the services; then the file."""
    import xlsxwriter
    from django.contrib.auth.models import User

    from people.services import organisation_create, party_organisation_create, role_grant
    from places.services import place_create

    root = User.objects.create_superuser("bench-root", password="x")
    city = place_create(actor=root, kind="city", name="兰州市", code="6201")
    district = place_create(actor=root, kind="district", name="城关区", code="620102", parent=city)
    subdistrict = place_create(actor=root, kind="subdistrict", name="拱星墩街道", code="620102010", parent=district)
    admin = User.objects.create_user("bench-admin", password="x")
    role_grant(actor=root, user=admin, role="subdistrict_admin", place=subdistrict)
    communities = []
    for c in range(1, 5):
        community = place_create(actor=root, kind="community", name=f"社区{c}", code=f"620102010{c:03d}",
                                 parent=subdistrict)
        committee = party_organisation_create(actor=root, level="committee", name=f"社区{c}党委", place=community)
        grids = []
        for g in range(1, 6):
            grid = place_create(actor=root, kind="grid", name=f"社区{c}第{g}网格", code=f"{community.code}{g:03d}",
                                parent=community)
            grids.append(party_organisation_create(actor=root, level="branch", name=f"{grid.name}党支部",
                                                   place=grid, parent=committee).name)
        communities.append((community.name, grids))
    branches = []
    for u in range(1, 29):
        unit = organisation_create(actor=root, kind="co_building_unit", name=f"共建单位{u}")
        branches.append(party_organisation_create(actor=root, level="branch", name=f"共建单位{u}党支部",
                                                  organisation=unit).name)

    path = workdir / "members.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "手机号", "性别", "所在党支部", "报到社区", "报到日期", "网格党支部", "专长"])
    surnames, given = "王李张刘陈杨赵黄周吴", "建国秀英志强桂兰海燕德明玉梅"
    for i in range(rows):
        community, grids = communities[i % 4]
        sheet.write_row(i + 1, 0, [
            surnames[i % 10] + given[i % 7 * 2:(i % 7) * 2 + 2], f"139{i:08d}", "男女"[i % 2], branches[i % 28],
            community, "2021-06-01", grids[i % 5], "法律咨询" if i % 3 == 0 else ""])
    book.close()
    return admin, path


if __name__ == "__main__":
    main()
