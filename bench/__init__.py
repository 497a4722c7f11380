"""Cercle's benchmarks: each prints figures, none is part of the test suite.

Run each one as a script from the project root (``.venv/bin/python bench/pages.py --help``):

- ``pages.py``: the four working pages on a database of N requests (``make bench``); its parts live in
  ``page_bench/`` (the fictional texts, the request plans, the fill, the measuring loop, the report).
- ``ingest.py``: Cercle's mail import against notmuch's indexing on the same Maildir (``make bench-ingest``).
- ``imap_sync.py``: ``manage.py sync`` fetching N messages from a throwaway Dovecot.

``common/`` holds what they share: the Django setup and data dirs (``env``), the bench database
(``database``), the corpus and Maildirs (``corpus``, ``maildir``), a measured child process with its
peak RSS (``process``), notmuch (``notmuch``) and an in-process profile (``profiling``).
"""
