import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from core.checkpoints import checkpoint_make, key_id, public_key_hex, signing_key_create
from core.models import Checkpoint
from demo import data as d
from demo.build import DemoBuilder
from ledger import periods
from ledger.sections import ledger_build
from places.models import Place

# The article's figures (docs/product.md §8), as the ledger computes them from the records.
HEADLINE = {
    "subdistrict": ("units", "members", "covered_grid", "covered_compound", "covered_courtyard", "covered_unit_site",
                    "found", "claimed", "resolved", "stations", "facilities", "micro_positions",
                    "bookings_fulfilled", "residents_served", "items_lent", "items_given_out", "activities_held",
                    "volunteers_active", "hours_served", "meetings_held", "resolutions_adopted", "council_needs"),
    "community": ("branches", "party_members", "area_km2", "buildings", "households", "residents",
                  "committee_members", "honours", "activities_held", "volunteers_active", "hours_served",
                  "meetings_held", "resolutions_adopted"),
}


def headline_figures() -> list[tuple[str, object]]:
    """拱星墩街道's and 天庆嘉园社区's 2021 figures, exactly as /ledger/ shows them."""
    rows = []
    for place in (Place.objects.get(code=d.SUBDISTRICT[0]), Place.objects.get(kind="community", name=d.TQJY)):
        figures = {f.key: f for b in ledger_build(place, periods.year(2021), public=True) for f in b.data.figures}
        rows += [(f"{place.name} · {figures[key].label}", f"{figures[key].value}{figures[key].unit}")
                 for key in HEADLINE[place.kind]]
    return rows


class Command(BaseCommand):
    help = ("Load the demo data set (拱星墩街道, 城关区, 兰州) through the service layer; running it again "
            "creates nothing new. Signs a checkpoint of the event log (making a key file for the demo when no key "
            "is configured). Prints the demo logins, the headline figures and the checkpoint.")

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
        self.stdout.write("\n2021年幸福账单 The 2021 ledger (computed from the records, as /ledger/ shows it)")
        self.table(headline_figures())
        self.sign()
        self.stdout.write(f"\n演示数据已就绪，用时 {elapsed:.1f} 秒。Demo data ready in {elapsed:.1f} s.")

    def sign(self):
        """A checkpoint of the demo's event log, so that /checkpoints/ shows one with no setup: without a configured
        key, the demo makes its own key file (a real site makes its key with `manage.py checkpoint_key` and keeps a
        copy). Nothing appended since the last checkpoint (a second run): no new one."""
        path = settings.CHECKPOINT_KEY_FILE
        if not settings.CHECKPOINT_KEY and not path.exists():
            public = public_key_hex(signing_key_create(path))
            self.stdout.write(f"\n演示用签名密钥已生成：{path}（密钥编号 {key_id(public)}）。仅供演示：正式站点请用 "
                              f"manage.py checkpoint_key 生成密钥并另存一份。A signing key for the demo only is in "
                              f"{path}; a real site makes its own with `manage.py checkpoint_key` and keeps a copy.")
        checkpoint = checkpoint_make() or Checkpoint.objects.first()
        self.stdout.write(f"\n第 {checkpoint.pk} 号检查点已签署，根 {checkpoint.root[:16]}…，见 /checkpoints/。"
                          f"Checkpoint #{checkpoint.pk} is signed (root {checkpoint.root[:16]}…): /checkpoints/")

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

