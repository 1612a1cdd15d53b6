"""manage.py ledger_rebuild: compute the ledger's roll-ups afresh from the needs and the event log."""

import time

from django.core.management.base import BaseCommand

from ledger.rollups import rebuild


class Command(BaseCommand):
    help = "Rebuild the ledger's roll-ups from the needs (after a bulk load that bypassed need_act)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        needs = rebuild()
        self.stdout.write(f"ledger roll-ups rebuilt from {needs} needs in {time.perf_counter() - started:.1f} s")
