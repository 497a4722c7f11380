"""A throwaway Dovecot IMAP server: its own config, users and Maildirs in a temp dir, on a free port.

Used by the IMAP tests (fixture `dovecot` in conftest.py) and by bench/ingest.py. Needs Debian's
`dovecot-imapd`; the tests skip with a clear reason when it is missing (and fail under CI).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def available() -> bool:
    return Path(DOVECOT).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_location = maildir:~/Maildir
mail_privileged_group =
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
  }}
}}
# No brute-force slowdown for a test server: no delay after a failed login, and no auth penalty
# (auth cannot reach anvil's penalty socket), else every login after a wrong password waits 2-15 s.
auth_failure_delay = 0
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
"""


class Dovecot:
    """start() / stop(); add_user(); put_messages() writes straight into a user's Maildir (fast)."""

    def __init__(
        self,
        directory: Path | None = None,
        password: str = "secret-imap",  # noqa: S107 - a throwaway test server
        extra_config: str = "",
    ) -> None:
        """`extra_config`: lines appended to the configuration (e.g. `imap_capability = …`)."""
        self.dir = Path(directory or tempfile.mkdtemp(prefix="cercle-dovecot-"))
        self.dir.chmod(0o755)  # mail processes (another uid) must reach the homes
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:  # mail processes may not run as root
            self.uid, self.gid = 65534, 65534
            users = ("dovecot", "dovecot", "dovenull")
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            import grp
            import pwd

            me = pwd.getpwuid(self.uid).pw_name
            group = grp.getgrgid(self.gid).gr_name
            users = (me, group, me)
        self.internal_user, self.internal_group, self.login_user = users
        # Every user logs in with this one password (a static passdb: users appear without a reload).
        self.password = password
        self.extra_config = extra_config

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> Dovecot:
        for sub in ("run", "state", "home"):
            (self.dir / sub).mkdir(exist_ok=True)
        (self.dir / "dovecot.conf").write_text(
            CONFIG.format(
                dir=self.dir,
                port=self.port,
                uid=self.uid,
                gid=self.gid,
                internal_user=self.internal_user,
                internal_group=self.internal_group,
                login_user=self.login_user,
                password=self.password,
            )
            + self.extra_config
        )
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()}{self.log()}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"dovecot did not listen on {self.port} within {timeout} s\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    # --- users and mail -----------------------------------------------------------------------

    def add_user(self, name: str) -> None:
        """A user is a home with a Maildir; the password is the server's (see __init__)."""
        home = self.dir / "home" / name
        for sub in ("cur", "new", "tmp"):
            (home / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
        self._own(self.dir / "home")

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        base = self.dir / "home" / user / "Maildir"
        return base if folder == "INBOX" else base / f".{folder.replace('/', '.')}"

    def put_messages(self, user: str, messages: list[bytes], folder: str = "INBOX") -> None:
        """Write messages into the Maildir (Dovecot assigns their UIDs on the next SELECT)."""
        box = self.maildir(user, folder)
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        stamp = int(time.time())
        for i, raw in enumerate(messages):
            name = f"{stamp}.M{i}P{os.getpid()}R{uuid.uuid4().hex[:8]}.cercle-test"
            (box / "new" / name).write_bytes(raw)
        self._own(self.dir / "home" / user)

    def _own(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        for root, dirs, files in os.walk(path):
            os.chown(root, self.uid, self.gid)
            for name in dirs + files:
                os.chown(os.path.join(root, name), self.uid, self.gid)


def make_message(n: int, *, sender: str = "client@example.org", subject: str | None = None) -> bytes:
    """A small, realistic French request, unique by its number."""
    return (
        f"From: Client {n} <{sender}>\r\n"
        f"To: Léa Marchand <lea@hub.example>\r\n"
        f"Subject: {subject or f'Demande de partenariat n°{n}'}\r\n"
        f"Message-ID: <req-{n}-{uuid.uuid5(uuid.NAMESPACE_OID, str(n)).hex[:12]}@example.org>\r\n"
        f"Date: Mon, 23 Nov 2026 09:{n % 60:02d}:00 +0100\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"Bonjour,\r\nNous aimerions vous présenter un projet (réf. {n}).\r\nBien à vous\r\n"
    ).encode()
