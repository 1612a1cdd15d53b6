from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupRefused, backup_create


class Command(BaseCommand):
    help = ("Back up the database (SQLite: online backup API; PostgreSQL: pg_dump) and the uploaded files into "
            "one .tar.gz with a manifest, and its SHA-256 beside it (FILE.sha256). The app may keep running.")

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE",
                            help="the file to write (default: minsheng-<date>-<time>.tar.gz in BACKUP_DIR)")

    def handle(self, *args, **options):
        try:
            path, manifest = backup_create(options["output"])
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        rows = sum(manifest["tables"].values())
        files = len(manifest["members"]) - 1
        size = path.stat().st_size / 1024 / 1024
        self.stdout.write(
            f"备份已写入 {path}（{size:.1f} MB：{len(manifest['tables'])} 张表 {rows} 行，{files} 个上传文件），"
            f"校验值在 {path.name}.sha256。Backup written to {path} ({size:.1f} MB: {len(manifest['tables'])} "
            f"tables, {rows} rows, {files} uploaded files); its checksum is in {path.name}.sha256.")
