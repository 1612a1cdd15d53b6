import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.proof_check import main


class Command(BaseCommand):
    help = ("Check a proof of a record's events (docs/resident-proof.md): the same check as bin/check-proof, the "
            "standard-library script a resident runs (core/proof_check.py).")

    def add_arguments(self, parser):
        parser.add_argument("proof", type=Path, help="the proof's JSON file")
        parser.add_argument("--key", help="the published checkpoint public key (hex)")

    def handle(self, *args, **options):
        out = io.StringIO()
        status = main([str(options["proof"])] + (["--key", options["key"]] if options["key"] else []), out=out)
        if status == 1:
            raise CommandError(out.getvalue().strip())
        self.stdout.write(out.getvalue().rstrip())
        if status == 2:
            raise CommandError("最新的事件还在等下一个检查点。The newest events await the next checkpoint.",
                               returncode=2)
