"""A real SMTP server on 127.0.0.1 that keeps every message it is given, for tests of the whole stack.

    with SMTPSink() as sink:            # listens on sink.port, in a thread of its own
        ...                             # point EMAIL_HOST/EMAIL_PORT of other processes at it
        sink.wait_for(lambda m: m["To"] == "a@example.org", count=1, timeout=90)

It is aiosmtpd's server when aiosmtpd is installed, otherwise a small SMTP server on the standard
library's asyncio (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH). Either way each
message is parsed into an `email.message.EmailMessage` with the envelope in `mail_from` and
`rcpt_tos` attributes.
"""

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPSink:
    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        self.host = host
        self.port = port or free_port()
        self._messages = []
        self._lock = threading.Condition()
        self._stop = None

    # --- What arrived ------------------------------------------------------------------------

    @property
    def messages(self) -> list:
        with self._lock:
            return list(self._messages)

    def _keep(self, mail_from: str, rcpt_tos: list[str], data: bytes):
        message = email.message_from_bytes(data, policy=email.policy.default)
        message.mail_from, message.rcpt_tos = mail_from, list(rcpt_tos)
        with self._lock:
            self._messages.append(message)
            self._lock.notify_all()

    def wait_for(self, predicate=lambda message: True, *, count: int = 1, timeout: float = 30.0) -> list:
        """The messages that match, once at least `count` of them arrived (or when time is up)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [message for message in self._messages if predicate(message)]
                left = deadline - time.monotonic()
                if len(found) >= count or left <= 0:
                    return found
                self._lock.wait(min(left, 1.0))

    # --- Running -----------------------------------------------------------------------------

    def start(self) -> "SMTPSink":
        try:
            from aiosmtpd.controller import Controller
        except ImportError:
            self._stop = self._start_stdlib()
        else:
            controller = Controller(_AiosmtpdHandler(self), hostname=self.host, port=self.port)
            controller.start()
            self._stop = controller.stop
        return self

    def stop(self):
        if self._stop:
            self._stop()
            self._stop = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _start_stdlib(self):
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        state = {}

        async def serve():
            state["server"] = await asyncio.start_server(self._session, self.host, self.port)
            ready.set()

        def run():
            asyncio.set_event_loop(loop)
            loop.run_until_complete(serve())
            loop.run_forever()
            state["server"].close()
            loop.run_until_complete(state["server"].wait_closed())
            loop.close()

        thread = threading.Thread(target=run, name="smtp-sink", daemon=True)
        thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"The SMTP sink did not start on {self.host}:{self.port}.")

        def stop():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)

        return stop

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        async def reply(line: str):
            writer.write(line.encode("ascii") + b"\r\n")
            await writer.drain()

        mail_from, rcpt_tos = None, []
        try:
            await reply(f"220 {self.host} test SMTP sink ready")
            while line := await reader.readline():
                command, _, argument = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
                command = command.upper()
                if command == "EHLO":
                    await reply(f"250-{self.host}")
                    await reply("250-8BITMIME")
                    await reply("250 SMTPUTF8")
                elif command == "HELO":
                    await reply(f"250 {self.host}")
                elif command == "MAIL" and argument.upper().startswith("FROM:"):
                    mail_from, rcpt_tos = _address(argument[5:]), []
                    await reply("250 OK")
                elif command == "RCPT" and argument.upper().startswith("TO:"):
                    if mail_from is None:
                        await reply("503 Need MAIL before RCPT")
                        continue
                    rcpt_tos.append(_address(argument[3:]))
                    await reply("250 OK")
                elif command == "DATA":
                    if not rcpt_tos:
                        await reply("503 Need RCPT before DATA")
                        continue
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (data_line := await reader.readline()) not in (b".\r\n", b".\n", b""):
                        lines.append(data_line[1:] if data_line.startswith(b".") else data_line)
                    self._keep(mail_from, rcpt_tos, b"".join(lines))
                    mail_from, rcpt_tos = None, []
                    await reply("250 OK: queued")
                elif command == "RSET":
                    mail_from, rcpt_tos = None, []
                    await reply("250 OK")
                elif command == "NOOP":
                    await reply("250 OK")
                elif command == "QUIT":
                    await reply("221 Bye")
                    break
                else:
                    await reply("502 Command not implemented")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
                await writer.wait_closed()


def _address(argument: str) -> str:
    """'<a@example.org> SIZE=123' -> 'a@example.org'."""
    argument = argument.strip()
    if argument.startswith("<"):
        return argument[1 : argument.find(">")] if ">" in argument else argument[1:]
    return argument.split(" ", 1)[0]


class _AiosmtpdHandler:
    def __init__(self, sink: SMTPSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sink._keep(envelope.mail_from, envelope.rcpt_tos, data)
        return "250 OK: queued"
