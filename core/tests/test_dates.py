"""core/dates.py: how refusals and notices write a moment."""

import datetime

from django.utils import timezone, translation

from core.dates import local_moment


def test_it_writes_the_local_day_and_time_without_leading_zeros():
    moment = datetime.datetime(2026, 12, 4, 22, 30, tzinfo=datetime.UTC)  # 12月5日 06:30 in 兰州 (UTC+8)
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
    with translation.override("zh-hans"):
        assert local_moment(moment) == "12月5日 06:30"
    with translation.override("en"):
        assert local_moment(moment) == "12/5 06:30"
