"""The needs, offers, volunteering and meetings fixtures the interfaces' tests build on (a need claimed or sent to a
department, a session to book, a team's leader, a held meeting), shared rather than copied."""

from meetings.tests.conftest import an_hour_ago, body, held, meeting, seat_users, seats, staff  # noqa: F401
from needs.tests.conftest import category, claimed, department, published, submitted  # noqa: F401
from offers.tests.conftest import now, offer, provider, session  # noqa: F401
from volunteering.tests.conftest import leader, team  # noqa: F401
