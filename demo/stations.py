"""The demo's stations: the article's items (免洗洗手液、创可贴、雨伞、针线、血压计、急救包) at the 11 stations, and a
plausible history from the day they opened (2021-06-01) to the end of 2021 — stock received and given out,
loans and returns (more umbrellas in the rainy summer, one lost) — walked through sites.services with `at=`;
and, relative to the day the demo is loaded, a few loans out now.

Each station gets the items its description names (a station that names none: plasters and a blood-pressure
monitor). Borrowers are residents of the station's community on record, or a passer-by who left a name and a
phone. A second run writes nothing: a station that has items is left as it is.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from demo import data as d
from demo.phones import RESIDENT, phone, phone_prefix
from sites.models import Item, Site
from sites.services import item_create, loan_create, loan_mark_lost, loan_return, stock_give_out, stock_receive

# name, kind, unit, opening stock or units, low-stock threshold, give-outs or loans a month (min, max),
# quantity per give-out (min, max)
ITEMS = [
    ("免洗洗手液", "consumable", "瓶", 24, 6, (1, 3), (1, 1)),
    ("创可贴", "consumable", "片", 200, 30, (2, 4), (1, 4)),
    ("雨伞", "lendable", "把", 10, 0, (1, 2), None),
    ("针线", "lendable", "包", 3, 0, (0, 1), None),
    ("血压计", "lendable", "台", 1, 0, (1, 2), None),
    ("急救包", "lendable", "个", 2, 0, (0, 1), None),
]
MATCH = {"免洗洗手液": "洗手液", "创可贴": "创可贴", "雨伞": "雨伞", "针线": "针线", "血压计": "血压",
         "急救包": "急救包"}  # the words of a station's description that name the item
NONE_NAMED = ("创可贴", "血压计")
RAINY = (7, 8, 9)  # Lanzhou's rainy months: three times the umbrellas
FIRST, LAST = d.SITES_OPENED_ON, datetime.date(2021, 12, 31)
LOST = ("天庆嘉园便民驿站", "雨伞", 8)  # one umbrella not returned, marked lost (station, item, month)


class StationsWalk:
    def __init__(self, builder):
        self.b = builder
        self.actor = builder.actor
        self.rng = random.Random(d.SEED + 20)
        self.zone = timezone.get_current_timezone()
        self.lost = False  # the one lost umbrella is lost

    def walk(self):
        stations = Site.objects.filter(kind="station").exclude(pk__in=Item.objects.values("site")).select_related(
            "place").order_by("name")
        for station in stations:
            self.station(station)

    def at(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        hour = self.rng.randint(9, 17) if hour is None else hour
        return datetime.datetime.combine(day, datetime.time(hour, self.rng.randrange(0, 60, 5)), tzinfo=self.zone)

    def days(self, month: int, n: int) -> list[datetime.date]:
        first = max(FIRST, datetime.date(2021, month, 1))
        last = min(LAST, (datetime.date(2021, month, 28) + datetime.timedelta(days=4)).replace(day=1)
                   - datetime.timedelta(days=1))
        return sorted(first + datetime.timedelta(days=self.rng.randint(0, (last - first).days)) for _ in range(n))

    def station(self, station: Site):
        names = [name for name, *_rest in ITEMS if MATCH[name] in station.description] or list(NONE_NAMED)
        community = station.place.code[:12]
        residents = sorted((p for p in self.b.people.values() if p.phone.startswith(phone_prefix(RESIDENT))
                            and p.home.code.startswith(community)), key=lambda p: p.phone)
        opened = self.at(FIRST, 9)
        for name, kind, unit, amount, low, per_month, quantity in ITEMS:
            if name not in names:
                continue
            item = item_create(actor=self.actor, site=station, kind=kind, name=name, unit=unit, low_stock=low,
                               at=opened, **({"stock": amount} if kind == "consumable" else {"units": amount}))
            for month in range(FIRST.month, 13):
                n = self.rng.randint(*per_month) * (3 if name == "雨伞" and month in RAINY else 1)
                for day in self.days(month, n):
                    if kind == "consumable":
                        self.give_out(item, day, quantity, amount, residents)
                    else:
                        lost = (station.name, name, month) == LOST and not self.lost
                        self.lost = self.lost or bool(self.lend(item, day, residents, lost=lost) and lost)
        self.out_now(station, residents)

    def give_out(self, item, day, quantity, refill, residents):
        if item.stock <= item.low_stock * 2:  # the operator restocks before it runs low
            stock_receive(actor=self.actor, item=item, quantity=refill, reason="街道统一配发", at=self.at(day, 8))
        person = self.rng.choice(residents) if residents and self.rng.random() < 0.5 else None
        stock_give_out(actor=self.actor, item=item, quantity=min(self.rng.randint(*quantity), item.stock),
                       person=person, at=self.at(day))

    def lend(self, item, day, residents, *, lost=False):
        lent_at = self.at(day)
        try:
            if residents and self.rng.random() < 0.7:
                loan = loan_create(actor=self.actor, item=item, person=self.rng.choice(residents), at=lent_at)
            else:
                index = self.rng.randint(1, 500)
                loan = loan_create(actor=self.actor, item=item, borrower_name=f"过路居民{index}",
                                   borrower_phone=phone(9, index), at=lent_at)
        except ValidationError:  # every unit out that day
            return None
        if lost:
            loan_mark_lost(actor=self.actor, loan=loan, at=lent_at + datetime.timedelta(days=14),
                           note="借用人搬离，未归还")
        else:
            back = self.at(day + datetime.timedelta(days=self.rng.choice((1, 1, 2, 3, 5))))  # within opening hours
            loan_return(actor=self.actor, loan=loan, at=back)
        return loan

    def out_now(self, station, residents):
        """An umbrella or a monitor out since yesterday at the stations that lend them: the operator's page has
        loans to take back."""
        item = station.items.filter(name__in=("雨伞", "血压计")).order_by("name").first()
        if item is None or not residents:
            return
        yesterday = timezone.localtime() - datetime.timedelta(days=1)
        loan_create(actor=self.actor, item=item, person=self.rng.choice(residents), at=yesterday)
