# Django's own zh_Hans formats pad the month in MONTH_DAY_FORMAT (m: 09月5日); people write 9月5日, as core.dates does.
MONTH_DAY_FORMAT = "n月j日"
