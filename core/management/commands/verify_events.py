import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.checkpoints import CheckpointRefused, checkpoint_check, checkpoint_public
from core.events import STATE_CHECKS, events_verify
from core.models import Checkpoint

REASONS = {
    "changed": "内容或哈希被改动 / its content or hash was changed",
    "missing": "事件缺失（被删除）/ the event is missing (deleted)",
    "truncated": "链的末尾被截去 / the chain's end was cut off",
    "length": "链比记录的长度多出事件 / the chain has more events than its recorded length",
    "origin": "链的起点与检查点不符 / the chain does not begin where the checkpoint says",
    "checkpoint": "与已发布的检查点不符（整段被重算）/ differs from the published checkpoint (rewritten)",
}


def shown_value(value) -> str:
    """A field's value as the report prints it: a time in ISO form, a choice as its stored text, anything else as
    Python writes it."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return repr(str(value) if isinstance(value, str) else value)


class Command(BaseCommand):
    help = ("Check every chain of the event log from its origin, and against the latest signed checkpoint (or one "
            "kept elsewhere, --checkpoint); with --state, replay each record's events and compare with its row.")

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", type=Path, help="a checkpoint's JSON kept outside the database")
        parser.add_argument("--public-key", help="the public key (hex) the checkpoint must be signed with "
                                                 "(default: the one it names; compare it with the published one)")
        parser.add_argument("--state", action="store_true", help="also replay every record's events")
        parser.add_argument("--shown", type=int, default=50, help="with --state: how many mismatches to print "
                                                                  "(all are counted)")

    def handle(self, *args, **options):
        published = self.checkpoint(options)
        checked, broken = events_verify(published)
        if broken is not None:
            event = broken.event
            where = (f"id={event.id}, {event.verb} {event.subject_type}#{event.subject_id}, {event.at:%Y-%m-%d %H:%M}"
                     if event else "no event there")
            raise CommandError(f"事件链 {broken.chain} 在第 {broken.seq} 个事件处断开：{REASONS[broken.reason]}"
                               f" ({where}). The event chain {broken.chain} is broken at position {broken.seq}.")
        against = f"，与第 {published['number']} 号检查点一致 / matching checkpoint #{published['number']}" \
            if published else "（还没有检查点 / no checkpoint yet）"
        self.stdout.write(f"事件链完整：共 {checked} 个事件{against}。The event chain is intact: {checked} events.")
        if options["state"]:
            self.state(options["shown"])

    def checkpoint(self, options) -> dict | None:
        if options["checkpoint"]:
            try:
                published = json.loads(options["checkpoint"].read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"读不了检查点文件 / cannot read the checkpoint: {exc}") from None
        else:
            latest = Checkpoint.objects.first()
            if latest is None:
                return None
            published = checkpoint_public(latest)
        try:
            checkpoint_check(published, options["public_key"] or published["public_key"])
        except CheckpointRefused as refused:
            raise CommandError(refused.reason) from None
        except (KeyError, TypeError, ValueError):
            raise CommandError("检查点文件的格式不对 / the checkpoint file is not a checkpoint") from None
        return published

    def state(self, shown: int):
        """Every registered replay; at most `shown` mismatches printed, then the count of each record type. On
        PostgreSQL in one repeatable-read snapshot, so that a write while the check runs cannot set a row against
        events read before it (SQLite's IMMEDIATE transactions would hold the write lock: there each query reads
        its own snapshot, and a record changed during the check may be reported; run it again)."""
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with transaction.atomic():
                connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                counts = self.replay(shown)
        else:
            counts = self.replay(shown)
        total = sum(counts.values())
        if total:
            if total > shown:
                self.stdout.write(f"  …（另有 {total - shown} 处未列出 / {total - shown} more not listed）")
            per_type = ", ".join(f"{subject_type} {n}" for subject_type, n in counts.items() if n)
            raise CommandError(f"{total} 处记录与其事件不符（{per_type}）。{total} fields differ from their events "
                               f"({per_type}).")
        self.stdout.write(f"全部记录与其事件一致（{', '.join(counts)}）。Every record matches its events.")

    def replay(self, shown: int) -> dict[str, int]:
        counts = {}
        for subject_type, check in sorted(STATE_CHECKS.items()):
            counts[subject_type] = 0
            for mismatch in check():
                if sum(counts.values()) < shown:
                    self.stdout.write(f"  {mismatch.subject_type}#{mismatch.subject_id} {mismatch.field}: "
                                      f"记录 row {shown_value(mismatch.row)} ≠ 事件 events "
                                      f"{shown_value(mismatch.replayed)}")
                counts[subject_type] += 1
        return counts
