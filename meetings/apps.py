from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    label = "meetings"
    verbose_name = _("Committee and meetings")

    def ready(self):
        from meetings.services import seat_join
        from people.signals import committee_seat_added

        def seat_joins_committee(sender, *, seat, actor, at=None, **kwargs):
            seat_join(actor=actor, seat=seat, at=at)

        committee_seat_added.connect(seat_joins_committee, weak=False, dispatch_uid="meetings.seat_joins_committee")

        from meetings.views import need_origins
        from needs.hooks import origins_register

        origins_register(key="meetings", function=need_origins)  # a need's page names the resolution that raised it

        from core.events import state_check_register
        from meetings.replay import meetings_check, resolutions_check

        state_check_register("meetings.meeting", meetings_check)
        state_check_register("meetings.resolution", resolutions_check)
