# French typography: the hour as "10 h 00" (24 hours, "h" between spaces), "à" before the time.
# https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date for the letters.
DATE_FORMAT = "j F Y"  # 12 janvier 2027
TIME_FORMAT = r"G \h i"  # 10 h 00
DATETIME_FORMAT = r"j F Y à G \h i"  # 12 janvier 2027 à 10 h 00
YEAR_MONTH_FORMAT = "F Y"  # janvier 2027
MONTH_DAY_FORMAT = "j F"  # 12 janvier
SHORT_DATE_FORMAT = "d/m/Y"  # 12/01/2027
SHORT_DATETIME_FORMAT = r"d/m/Y à G \h i"  # 12/01/2027 à 10 h 00
