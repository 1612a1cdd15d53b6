"""How pages, refusals and notices write a moment."""

from django.utils import timezone
from django.utils.translation import gettext as _


def local_moment(moment) -> str:
    """A moment in the local time zone, as refusals and notices write it: 12月3日 09:00 (12/3 09:00 in English)."""
    moment = timezone.localtime(moment)
    return _("%(month)d/%(day)d %(time)s") % {"month": moment.month, "day": moment.day,
                                              "time": moment.strftime("%H:%M")}
