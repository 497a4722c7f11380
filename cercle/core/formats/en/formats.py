# The day before the month and the time on 24 hours: never "03/04" read two ways, never "10 a.m.".
# https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date for the letters.
DATE_FORMAT = "j F Y"  # 20 March 2027
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = r"j F Y \a\t H:i"  # 20 March 2027 at 14:30
YEAR_MONTH_FORMAT = "F Y"  # March 2027
MONTH_DAY_FORMAT = "j F"  # 20 March
SHORT_DATE_FORMAT = "j M Y"  # 20 Mar 2027
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 20 Mar 2027, 14:30
