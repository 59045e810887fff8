"""Which sign-in links still hold: each user's current link generation, in the store's SQLite file.

A roster link carries the generation it was made in. Revoking a user's link moves their
generation on: the old link (and any session it opened) then names nobody, exactly as an
unknown link does, and ``grader serve links`` makes the user a new one. A sign-in that came
by no link (an LTI launch) is not concerned.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from grader.serve.tokens import Identity
from grader.store import BUSY_SECONDS, Store

LINKS_TABLE = """
CREATE TABLE IF NOT EXISTS serve_links (user TEXT PRIMARY KEY, generation INTEGER NOT NULL, revoked REAL NOT NULL);
"""


class LinkGenerations:
    """The users' link generations (0 for a user whose link was never revoked)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        Store(self.path)  # the store's own tables and migrations first
        with closing(self._connect()) as db, db:
            db.execute(LINKS_TABLE)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=BUSY_SECONDS)

    def current(self, user: str) -> int:
        with closing(self._connect()) as db:
            row = db.execute("SELECT generation FROM serve_links WHERE user=?", (user,)).fetchone()
        return row[0] if row else 0

    def revoke(self, user: str) -> int:
        """Make ``user``'s links so far worthless; the generation of their next one."""
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO serve_links VALUES (?, 1, ?) ON CONFLICT(user) DO UPDATE SET "
                       "generation=generation+1, revoked=excluded.revoked", (user, time.time()))
        return self.current(user)

    def holds(self, identity: Identity) -> bool:
        """True unless ``identity`` came by a link of its user's that was revoked since."""
        return identity.generation is None or identity.generation == self.current(identity.user)
