"""Cercle's benchmarks: each prints figures, none is part of the test suite.

Run each one as a script from the project root (``.venv/bin/python bench/pages.py --help``):

- ``pages.py``: the four working pages on a database of N requests (``make bench``); its parts live in
  ``page_bench/`` (the fictional texts, the request plans, the fill, the measuring loop, the report).
- ``ingest.py``: Cercle's mail import against notmuch's indexing on the same Maildir (``make bench-ingest``).
- ``imap_sync.py``: ``manage.py sync`` fetching N messages from a throwaway Dovecot.
- ``network.py``: "who can do X?", the network pages, the strength recompute and fold on N contacts and M
  interactions; its parts live in ``network_bench/`` (the fictional profiles, the bulk fill, the measuring).
- ``network_quality.py``: on the Enron mailboxes, do the strongest ties at a date name the people each
  trader kept writing to after it (precision against exchange-count and recency baselines)?
- ``routing.py``: how fast ``rank_members`` ranks N members with M past projects, and how often it names
  the member who should take a request (labelled requests of the demo hub and of the Enron desk, a frozen
  test split; ``routing.md`` says how they were built); its parts live in ``routing_bench/``, its data
  in ``routing_data/``.
- ``webhooks.py``: signed webhook deliveries per second to a local receiver (the real delivery function).

``common/`` holds what they share: the Django setup and data dirs (``env``), the bench database
(``database``), the corpus and Maildirs (``corpus``, ``maildir``), a measured child process with its
peak RSS (``process``), notmuch (``notmuch``) and an in-process profile (``profiling``).
"""
