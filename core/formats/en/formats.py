"""How the English pages write dates: day, month in words, year (3 December 2026), as an English
reader of a Chinese county's documents expects, and never ambiguous the way 12/03/2026 is. The
time as the Chinese pages write it, on the 24-hour clock (3 December 2026 14:05). Everything else
is Django's English (django/conf/locale/en/formats.py), found after this module."""

DATE_FORMAT = "j F Y"
MONTH_DAY_FORMAT = "j F"
DATETIME_FORMAT = "j F Y H:i"
