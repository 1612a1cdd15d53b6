import time

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from demo import data as d
from demo.build import DemoBuilder
from demo.needs import needs_figures, year_bounds
from people.models import (
    CommitteeMember,
    Honour,
    MemberReportState,
    Organisation,
    PartyMembership,
    PartyOrganisation,
    TeamMember,
)
from places.models import Coverage, Place
from sites.models import Site


def headline_counts() -> list[tuple[str, object]]:
    """The article's figures, each counted from the records the demo built."""
    subdistrict = Place.objects.get(code=d.SUBDISTRICT[0])
    tqjy = Place.objects.get(kind="community", name=d.TQJY)
    branches = PartyOrganisation.objects.filter(parent__place=tqjy, parent__level="committee")

    needs = needs_figures(subdistrict, *year_bounds(2021))

    def covered(kind):
        return Coverage.objects.filter(until__isnull=True, place__kind=kind).values("place").distinct().count()

    return [
        ("共驻共建单位（有党组织）", Organisation.objects.filter(
            agreements__place=subdistrict, party_organisations__isnull=False).distinct().count()),
        ("在职党员（双报到，编入网格党支部）", PartyMembership.objects.filter(
            in_service=True, reports__state=MemberReportState.PLACED).values("person").distinct().count()),
        ("包抓网格", covered("grid")),
        ("包抓小区", covered("compound")),
        ("包抓楼院", covered("courtyard")),
        ("包抓单位", covered("unit_site")),
        ("便民驿站 / 便民服务点", Site.objects.filter(kind="station").count()),
        ("便民设施", Site.objects.filter(kind="facility").count()),
        ("党建微阵地", Site.objects.filter(kind="micro_position").count()),
        ("2021年排摸发现问题（已受理）", needs["found"]),
        ("2021年认领问题（接单或派单）", needs["claimed"]),
        ("2021年已办结问题", needs["resolved"]),
        ("天庆嘉园社区党委下设党支部", branches.count()),
        ("天庆嘉园社区党员", PartyMembership.objects.filter(party_organisation__in=branches)
         .values("person").distinct().count()),
        ("红色长城护卫队队员", TeamMember.objects.filter(team__name=d.GUARD_TEAM[0]).count()),
        ("天庆嘉园社工委委员", CommitteeMember.objects.filter(community=tqjy).count()),
        ("天庆嘉园荣誉", Honour.objects.filter(place=tqjy).count()),
        ("天庆嘉园面积（平方公里）", tqjy.area_km2),
        ("天庆嘉园住宅楼（楼栋记录）", Place.objects.filter(kind="building", code__startswith=tqjy.code).count()),
        ("天庆嘉园住户", tqjy.households),
        ("天庆嘉园常住人口", tqjy.residents),
    ]


class Command(BaseCommand):
    help = ("Load the demo data set (拱星墩街道, 城关区, 兰州) through the service layer; running it again "
            "creates nothing new. Prints the demo logins and the headline figures.")

    def handle(self, *args, **options):
        started = time.monotonic()
        actor = User.objects.filter(username="admin").first()
        if actor is None:
            actor = User.objects.create_superuser("admin", password=d.DEMO_PASSWORD)
        elif not actor.is_superuser:
            raise CommandError("账号 admin 已存在但不是超级用户，无法加载演示数据。"
                               "The account “admin” exists but is not a superuser.")
        builder = DemoBuilder(actor)
        builder.build()
        elapsed = time.monotonic() - started

        logins = [("admin", "superuser", "全部 / everything")]
        for username, role, scope, _person in builder.accounts:
            target = scope.get("place") or scope.get("organisation")
            logins.append((username, role, target.name if target else "本人 / self"))
        self.stdout.write(f"\n演示账号 Demo logins (password for all: {d.DEMO_PASSWORD}, set when first created)")
        self.table([("username", "role", "scope"), *logins])
        self.stdout.write("\n数据概况 Headline figures (counted from the records)")
        self.table(headline_counts())
        self.stdout.write(f"\n演示数据已就绪，用时 {elapsed:.1f} 秒。Demo data ready in {elapsed:.1f} s.")

    def table(self, rows):
        widths = [max(display_width(str(row[i])) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            line = "  ".join(pad(str(cell), width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())


def display_width(text: str) -> int:
    """Chinese characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))

