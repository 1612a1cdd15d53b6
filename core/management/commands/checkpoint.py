import json

from django.core.management.base import BaseCommand, CommandError

from core.checkpoints import KeyMissing, checkpoint_make, checkpoint_public
from core.models import Checkpoint


class Command(BaseCommand):
    help = "Sign every event chain's head now (a checkpoint, published at /checkpoints/) and print it as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="sign even if nothing changed since the last one")

    def handle(self, *args, **options):
        try:
            made = checkpoint_make(force=options["force"])
        except KeyMissing as missing:
            raise CommandError(str(missing)) from None
        checkpoint = made or Checkpoint.objects.first()
        if made is None:
            self.stderr.write(f"自第 {checkpoint.pk} 号检查点以来没有新事件。Nothing new since checkpoint "
                              f"#{checkpoint.pk}.")
        self.stdout.write(json.dumps(checkpoint_public(checkpoint), ensure_ascii=False, indent=2))
