"""The mail server of the smoke run: aiosmtpd on 127.0.0.1, keeping every message the worker sends.

It can hold the next message's DATA, as a slow mail server does, so the test
can kill the worker while it waits for the answer.
"""

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

# aiosmtpd logs every connection at INFO: noise in a failing test's report.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Received:
    message_id: str
    to: str
    subject: str
    body: str


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    # Longer than any wait in the tests: the held message never completes.
    HOLD_SECONDS = 60

    def __init__(self):
        self.port = free_port()
        self.received = []
        self.held = []
        self._hold_next_to = None
        self._changed = threading.Condition()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        # Cancels the held DATA too.
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        received = Received(
            message_id=str(message["Message-ID"]),
            to=", ".join(envelope.rcpt_tos),
            # Folded headers unfold with the white space they were folded at.
            subject=" ".join(str(message["Subject"]).split()),
            body=body.get_content() if body else "",
        )
        with self._changed:
            hold = self._hold_next_to is not None and self._hold_next_to in received.to
            if hold:
                self._hold_next_to = None
            (self.held if hold else self.received).append(received)
            self._changed.notify_all()
        if hold:
            await asyncio.sleep(self.HOLD_SECONDS)
            return "451 4.3.0 Held too long, try again later"
        return "250 OK"

    def hold_next_message(self, to):
        """Hold the DATA of the next message to `to`, and only that one."""
        with self._changed:
            self._hold_next_to = to

    def wait_for(self, check, timeout, what):
        """Wait until `check(received, held)` is true; its value, or a failure saying `what` never came."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = check(list(self.received), list(self.held))
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"{what}: not at the mail sink after {timeout:.0f} s. Received: "
                        + "; ".join(f"{m.to} {m.subject!r} {m.message_id}" for m in self.received)
                    )
                self._changed.wait(remaining)

    def messages_to(self, address, containing=""):
        with self._changed:
            return [m for m in self.received if address in m.to and containing in m.subject]
