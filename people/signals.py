"""What people tells the apps above it. They subscribe in their AppConfig.ready(); people imports none of them.

`committee_seat_added` is sent inside committee_member_add's transaction once a new seat on a community's
committee (社工委) is saved, so a receiver's writes (meetings: the seat joins the community's committee body)
commit or roll back with it. Receivers get `seat` (the CommitteeMember), `actor` and `at`.
"""

from django.dispatch import Signal

committee_seat_added = Signal()
