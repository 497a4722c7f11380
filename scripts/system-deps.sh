#!/bin/sh
# Install the system packages the tests drive for real, when we can (root with apt):
#   chromium        the browser tests (tests/e2e, tests/triage/*_e2e.py), through Playwright
#   dovecot-imapd   a throwaway IMAP server (tests/mailsync, tests/dovecot.py)
#   redis-server    two huey workers on Redis (tests/mailsync/test_two_workers.py)
#   spamassassin spamc spamd   the side-by-side evaluation (tests/triage/test_eval_command.py)
#   postgresql      the second CI run (DATABASE_URL, .ci/run)
#   gettext         msgfmt for `make translations`
#   notmuch         the ingest benchmark's peer (make bench-ingest)
#   npm             installs axe-core for the accessibility browser test (make js-deps), when no npm is there
# None of them starts a service at install: the tests start and stop their own.
# Otherwise the tests that need them skip with a clear reason (and fail under CI=true).
PACKAGES="chromium dovecot-imapd gettext notmuch postgresql redis-server spamassassin spamc spamd"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
# Any npm will do (Debian's, or one that came with another Node.js package).
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null
else
  case "${CI:-}" in
    1|true|TRUE|True|yes|on)
      echo "CI: missing system packages$missing and not root with apt: the tests that need them will fail." >&2
      exit 1 ;;
  esac
  echo "Not root with apt: not installing$missing; the tests that need them will be skipped."
fi
