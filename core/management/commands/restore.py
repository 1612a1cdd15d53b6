from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupRefused, backup_restore, counts_differing, migrations_pending
from core.events import chains_version


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` into an empty database and media folder, after checking "
            "its SHA-256; then check the event chain and every table's row count against the backup's manifest. "
            "Stop the web and huey processes first.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup (.tar.gz), with FILE.sha256 beside it")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that is not empty, and restore into a media folder that is not")

    def handle(self, *args, **options):
        try:
            manifest = backup_restore(options["file"], force=options["force"])
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        files = len(manifest["members"]) - 1
        self.stdout.write(f"已恢复 {manifest['created_at']} 的备份（{files} 个上传文件）。"
                          f"Restored the backup of {manifest['created_at']} ({files} uploaded files).")
        pending = migrations_pending()
        if pending:  # the chain and the counts are checked on the schema the backup was made with
            self.stdout.write(f"备份早于当前代码：还有 {pending} 个迁移未应用，请运行 manage.py migrate，再运行 "
                              f"manage.py verify_events。The backup is older than the code: run manage.py migrate "
                              f"({pending} migrations), then manage.py verify_events.")
            return
        call_command("verify_events", stdout=self.stdout)
        if chains_version() != manifest.get("events_version"):
            raise CommandError("事件链的末端与备份清单不符。The event chains' heads differ from the manifest's.")
        differing = counts_differing(manifest["tables"])
        if differing:
            lines = "\n".join(f"  {table}: {expected} → {found}" for table, expected, found in differing)
            raise CommandError(f"{len(differing)} 张表的行数与备份清单不符 / tables whose row count differs from "
                               f"the manifest (expected → found):\n{lines}")
        tables = len(manifest["tables"])
        self.stdout.write(f"全部 {tables} 张表的行数与备份清单一致。"
                          f"All {tables} tables have the manifest's row counts.")
