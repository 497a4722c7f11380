"""Cercle's date and time formats per language (settings.FORMAT_MODULE_PATH), over Django's own.

Pages, notes and mails name a format ("DATE_FORMAT", "SHORT_DATETIME_FORMAT"...) and never spell one out:
the reader's language picks it. French follows French typography ("12 janvier 2027 à 10 h 00"); English
writes the day before the month ("20 March 2027") and the time on 24 hours, so that neither reader can
take 04/05 for the wrong day. What is not set here is Django's (input formats, numbers).
"""
