"""A tiny IMAP4rev1 server on loopback: enough of the protocol for the poller.

It speaks CAPABILITY, LOGIN, SELECT, UID SEARCH, UID FETCH, UID STORE, EXPUNGE,
NOOP and LOGOUT over plain TCP, for one mailbox held in memory.
"""

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Stored:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


class Mailbox:
    def __init__(self, user: str, password: str):
        self.user, self.password = user, password
        self.messages: list[Stored] = []
        self.lock = threading.Lock()
        self.commands: list[str] = []

    def add(self, raw: bytes) -> int:
        with self.lock:
            uid = (self.messages[-1].uid + 1) if self.messages else 1
            self.messages.append(Stored(uid, raw))
            return uid


def _uid_set(text: str, known: list[int]) -> list[int]:
    found: list[int] = []
    for piece in text.split(","):
        if ":" in piece:
            low, high = piece.split(":")
            top = max(known, default=0) if high == "*" else int(high)
            found += [u for u in known if int(low) <= u <= top]
        elif int(piece) in known:
            found.append(int(piece))
    return found


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        box: Mailbox = self.server.mailbox
        self._send(b"* OK tiny IMAP ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().strip().partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            box.commands.append(f"{command} {args}".strip())
            if command == "UID":
                sub, _, args = args.partition(" ")
                command = "UID " + sub.upper()
            if not self._dispatch(box, tag, command, args):
                return

    def _dispatch(self, box: Mailbox, tag: str, command: str, args: str) -> bool:
        if command == "CAPABILITY":
            self._send(b"* CAPABILITY IMAP4rev1")
        elif command == "LOGIN":
            user, password = (a.strip('"') for a in args.split(" ", 1))
            if (user, password) != (box.user, box.password):
                self._send(f"{tag} NO bad login".encode())
                return True
        elif command == "SELECT":
            self._send(f"* {len(box.messages)} EXISTS".encode())
            self._send(b"* FLAGS (\\Seen \\Deleted)")
            self._send(b"* OK [UIDVALIDITY 1] ok")
            self._send(f"{tag} OK [READ-WRITE] SELECT done".encode())
            return True
        elif command == "UID SEARCH":
            uids = [
                m.uid
                for m in box.messages
                if "\\Seen" not in m.flags and "\\Deleted" not in m.flags
            ]
            self._send(("* SEARCH " + " ".join(map(str, uids))).strip().encode())
        elif command == "UID FETCH":
            self._fetch(box, args)
        elif command == "UID STORE":
            self._store(box, args)
        elif command == "EXPUNGE":
            box.messages = [m for m in box.messages if "\\Deleted" not in m.flags]
        elif command == "LOGOUT":
            self._send(b"* BYE")
            self._send(f"{tag} OK LOGOUT done".encode())
            return False
        self._send(f"{tag} OK {command} done".encode())
        return True

    def _fetch(self, box: Mailbox, args: str) -> None:
        wanted = _uid_set(args.split(" ", 1)[0], [m.uid for m in box.messages])
        for number, stored in enumerate(box.messages, start=1):
            if stored.uid in wanted:
                head = (
                    f"* {number} FETCH (UID {stored.uid} BODY[] {{{len(stored.raw)}}}"
                )
                self.wfile.write(head.encode() + b"\r\n" + stored.raw + b")\r\n")

    def _store(self, box: Mailbox, args: str) -> None:
        uid_text, _, rest = args.partition(" ")
        flags = set(re.findall(r"\\\w+", rest))
        wanted = _uid_set(uid_text, [m.uid for m in box.messages])
        for number, stored in enumerate(box.messages, start=1):
            if stored.uid in wanted:
                stored.flags |= flags
                shown = " ".join(sorted(stored.flags))
                self._send(
                    f"* {number} FETCH (UID {stored.uid} FLAGS ({shown}))".encode()
                )

    def _send(self, data: bytes) -> None:
        self.wfile.write(data + b"\r\n")


class TinyImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
