"""The `cercle` console script: `cercle run`, `cercle demo`, `cercle import PATH`, `cercle worker`, …

Any other word is passed to Django's manage.py, so `cercle migrate` or `cercle createsuperuser` work too.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) < 2:
        args.append("help")
    execute_from_command_line(["cercle", *args[1:]])


if __name__ == "__main__":
    main()
