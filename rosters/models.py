import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    CHECKING = "checking", _("Checking")
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Could not be read")


class RosterImport(models.Model):
    """One uploaded roster file, from preview to confirmation.

    The file itself and the per-row outcome of the check live under VAR_DIR/imports/<id>.* between
    preview and confirmation (see rosters.storage); this row ties them to the user who uploaded them
    and is the subject of the import's event.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE,
                             related_name="roster_imports")
    roster = models.CharField(_("roster"), max_length=20)
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices,
                             default=ImportState.CHECKING)
    # Big files are checked and written by a background task (rosters.tasks); the page shows how far it got.
    progress = models.PositiveIntegerField(_("rows done"), default=0)
    problem = models.TextField(_("why the file could not be read"), blank=True)
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE,
                                help_text="The uploader's language, for the messages written by the task.")
    # {"create": n, "update": n, "unchanged": n, "error": n, "total": n}
    counts = models.JSONField(_("counts"), default=dict)
    # Byte offsets of each page of the outcome files, so any preview page is one seek away.
    pages = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.roster} · {self.filename}"
