#!/bin/sh
# Install the system packages the tests drive for real, when we can (root with apt).
# Otherwise the tests that need them skip with a clear reason.
PACKAGES="chromium dovecot-imapd gettext notmuch spamassassin spamc spamd"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null
else
  echo "Not root with apt: not installing$missing; the tests that need them will be skipped."
fi
