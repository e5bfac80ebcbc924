"""A tiny SMTP server for tests: it accepts every message and keeps it.

It runs inside the test's own thread pool, with no event loop, so the
suite's email tests need nothing but the standard library (the production
smoke run uses aiosmtpd): just enough SMTP for smtplib, EHLO/HELO, MAIL,
RCPT, DATA, RSET, NOOP and QUIT.
"""

import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_to: list
    data: bytes = b""

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class _Envelope:
    mail_from: str = ""
    rcpt_to: list = field(default_factory=list)


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 sink ESMTP ready")
        envelope = _Envelope()
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, argument = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.wfile.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                self.wfile.flush()
            elif verb == "HELO":
                self.reply("250 sink")
            elif verb == "MAIL":
                envelope = _Envelope(mail_from=_address(argument))
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope.rcpt_to.append(_address(argument))
                self.reply("250 OK")
            elif verb == "DATA":
                if not envelope.rcpt_to:
                    self.reply("503 RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.sink.keep(ReceivedMessage(envelope.mail_from, envelope.rcpt_to, self._read_data()))
                envelope = _Envelope()
                self.reply("250 OK queued")
            elif verb == "RSET":
                envelope = _Envelope()
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self):
        lines = []
        while True:
            raw = self.rfile.readline()
            if not raw or raw in (b".\r\n", b".\n"):
                break
            # Dot-stuffing (RFC 5321 4.5.2): a line starting with "." was sent as "..".
            lines.append(raw[1:] if raw.startswith(b"..") else raw)
        return b"".join(lines)


def _address(argument):
    """The address in "FROM:<a@b> SIZE=…" or "TO:<a@b>"."""
    _, _, rest = argument.partition(":")
    return rest.strip().split(" ")[0].strip("<>")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SMTPSink:
    """Listens on 127.0.0.1 at a free port while used as a context manager."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _SMTPHandler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def keep(self, received):
        with self._lock:
            self.messages.append(received)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
