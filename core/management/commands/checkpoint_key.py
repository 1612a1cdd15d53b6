from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.checkpoints import key_id, public_key_hex, signing_key_create


class Command(BaseCommand):
    help = ("Make the Ed25519 key that signs the event chains' checkpoints, in CHECKPOINT_KEY_FILE (readable by its "
            "owner only). Keep a copy of it apart from the database backups; publish the public key it prints.")

    def handle(self, *args, **options):
        path = settings.CHECKPOINT_KEY_FILE
        if path.exists():
            raise CommandError(f"{path} 已存在，不会覆盖（换密钥前请先移走旧的）。{path} exists and is kept.")
        public = public_key_hex(signing_key_create(path))
        self.stdout.write(f"签名密钥已写入 {path}。The signing key is in {path}.\n"
                          f"公钥 public key: {public}\n密钥编号 key id: {key_id(public)}")
