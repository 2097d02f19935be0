"""Through what an action reached the ledger: the channel stamped with the actor on every event.

The command line acts as whoever ``--as`` names, so anyone who can run it against a ledger can
act as anyone; what it can say truthfully is which operating-system account, on which host, in
which process and command, wrote the event. :class:`CaseLedger` takes a :class:`Channel` when it
is constructed and copies it into the actor stamp (``actor["channel"]``) of every event it writes:
case events, notes, decisions, milestones, the staff directory, access attempts, roll-backs and
reviews. An investigator tells a command-line action from a signed-in one by it. Events written
before channels existed, or through the Python API without one, have none (``actor.get("channel")``
is ``None``); they load and verify as before.
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import socket
from typing import Any

__all__ = ["Channel"]


def _os_account() -> tuple[str, int | None]:
    """The real user of this process, by its user id (not by $USER, which anyone may set)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # not POSIX
        return getpass.getuser(), None
    uid = int(getuid())
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name, uid
    except (ImportError, KeyError):
        return str(uid), uid


@dataclasses.dataclass(frozen=True)
class Channel:
    """``kind`` ("cli"; the HTTP API will give its own, with the signed-in session), the OS user and
    user id, the host, the process id and the command (e.g. "caseledger note add")."""

    kind: str
    os_user: str
    os_uid: int | None
    host: str
    process: int
    command: str = ""

    @classmethod
    def this_process(cls, kind: str, command: str = "") -> Channel:
        user, uid = _os_account()
        return cls(kind=kind, os_user=user, os_uid=uid, host=socket.gethostname(), process=os.getpid(),
                   command=command)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
