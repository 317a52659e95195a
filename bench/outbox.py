"""Benchmark of outbox delivery to a local SMTP sink, next to a bare smtplib loop, SQLite and PostgreSQL.

    .venv/bin/python bench/outbox.py [--messages N ...] [--repeat N] [--profile]

For every size (default 2,000 and 10,000 messages) and database, a child process fills a fresh
throwaway database with outbox rows rendered like real ones (amnesty_portal.mail.render_all() of
the overdue-report email, text and HTML, in Norwegian and English), starts an SMTP sink in a process
of its own, and times, one after the other, with the same sink:

* **smtplib**: a bare loop over one `smtplib.SMTP` connection sending the very same messages (the
  `as_bytes()` of the MIME the outbox builds for each row, built before the clock starts): what the
  SMTP conversation itself costs;
* **outbox**: `amnesty_portal.mail.deliver_all()` with EMAIL_HOST/EMAIL_PORT pointing at the sink:
  claiming rows, building each message, sending, and marking each row sent.

Messages/s = messages / wall time; the ratio outbox/smtplib is taken within each process, so both
share the machine's good and bad spells. Repeated in fresh processes and databases (--repeat; the
median is reported). Queries are counted in the timed run with connection.execute_wrapper() (a
function call a query); --profile adds a cProfile run of deliver_all() at the smallest size. Databases and settings are
those of import_members.py and criteria.py (whose helpers this imports). Results: stdout and
bench/results/outbox.json.
"""

import argparse
import asyncio
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from importlib.metadata import version
from pathlib import Path

# bench/ is on sys.path when this file runs as a script (the driver and its child processes alike).
from import_members import FIRST_NAMES, LAST_NAMES, ROOT, run_on_fresh_database
from import_members import backends as available_backends

SEED = 2024
HOST = "localhost"
RUNS = ("smtplib", "outbox")
# Where the outbox's time goes: building the MIME bytes of every message (before the loop's clock
# starts), and deliver_all() with Django's dummy email backend (the database work alone).
EXTRA_RUNS = ("mime", "outbox_no_smtp")
TEMPLATE = "report_overdue"
VARIANTS = 50  # distinct renderings; rows cycle through them with their own recipients and keys


# --- The SMTP sink: takes every message and throws it away ----------------------------------------


def sink(port_queue, counter, stop):
    """Run an SMTP sink on a free port of 127.0.0.1 until `stop` is set; count the messages it takes.
    aiosmtpd when it is installed; otherwise a minimal asyncio server with the standard library."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        Controller = None

    if Controller is not None:

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's name
                with counter.get_lock():
                    counter.value += 1
                return "250 Message accepted"

        with socket.socket() as probe:  # aiosmtpd's controller needs a port number, not 0
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        controller.start()
        port_queue.put(("aiosmtpd " + version("aiosmtpd"), port))
        stop.wait()
        controller.stop()
        return

    async def session(reader, writer):
        writer.write(b"220 sink ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n" if verb == b"EHLO" else b"250 sink\r\n")
            elif verb == b"DATA":
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                while (data := await reader.readline()) and data != b".\r\n":
                    pass
                with counter.get_lock():
                    counter.value += 1
                writer.write(b"250 Message accepted\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 Bye\r\n")
                await writer.drain()
                break
            else:  # MAIL, RCPT, RSET, NOOP
                writer.write(b"250 OK\r\n")
            await writer.drain()
        writer.close()

    async def serve():
        server = await asyncio.start_server(session, "127.0.0.1", 0)
        port_queue.put(("asyncio (stdlib)", server.sockets[0].getsockname()[1]))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, stop.wait)
        server.close()

    asyncio.run(serve())


def start_sink():
    context = multiprocessing.get_context("spawn")
    ports, counter, stop = context.Queue(), context.Value("q", 0), context.Event()
    process = context.Process(target=sink, args=(ports, counter, stop), daemon=True)
    process.start()
    kind, port = ports.get(timeout=30)
    return process, kind, port, counter, stop


# --- Generating the rows (in the child process, Django set up) -----------------------------------


def populate(messages: int, seed: int) -> int:
    """`messages` pending outbox rows: the overdue-report email, rendered for VARIANTS recipients
    (one in ten in English) and groups, each row with its own recipient address and key."""
    import random

    from django.utils import timezone

    from activists.models import User
    from amnesty_portal.mail import render_all
    from amnesty_portal.models import OutboxMessage
    from groups.models import Group
    from groups.quarters import Quarter

    rng = random.Random(seed)
    quarter = Quarter.of(timezone.localdate()).previous
    variants = []
    for n in range(VARIANTS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        person = User(first_name=first, last_name=last, language="en" if n % 10 == 0 else "nb")
        group = Group(pk=n + 1, name=f"Amnesty {rng.choice(LAST_NAMES)} {n}")
        context = {
            "group": group,
            "quarter": quarter,
            "deadline": quarter.deadline,
            "report_url": f"/grupper/{group.pk}/rapporter/{quarter}/",
            "contacts": [],
        }
        variants.append((first, last, render_all(TEMPLATE, person, context)))
    rows = []
    for n in range(messages):
        first, last, (subject, text, html) = variants[n % VARIANTS]
        email = f"{first}.{last}.{n}@example.org".lower().translate(str.maketrans("æøå", "eoa"))
        cc = [f"leder.{n}@example.org"] if n % 5 == 0 else []  # the second reminder copies the leader
        rows.append(
            OutboxMessage(key=f"bench:{n}", kind=TEMPLATE, to=email, cc=cc, subject=subject, text=text, html=html)
        )
    OutboxMessage.objects.bulk_create(rows, batch_size=1000)
    return sum(len(row.text) + len(row.html) for row in rows[:VARIANTS]) // VARIANTS


# --- One measurement in a child process -----------------------------------------------------------


def worker(args):
    """Fill a fresh database, then time the smtplib loop and deliver_all() against the sink. Prints JSON."""
    process, sink_kind, port, counter, stop = start_sink()
    os.environ.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_USE_TLS="false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amnesty_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    from amnesty_portal import mail
    from amnesty_portal.models import OutboxMessage

    assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend", settings.EMAIL_BACKEND
    messages = args.messages[0]
    average_chars = populate(messages, args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # The baseline's messages: the same MIME the outbox builds for each row, as bytes.
    rows = list(OutboxMessage.objects.order_by("pk"))
    prepared = []
    started = time.perf_counter()
    for row in rows:
        message = mail._message(row)
        prepared.append((message.from_email, message.recipients(), message.message().as_bytes(linesep="\r\n")))
    mime_seconds = time.perf_counter() - started  # what the outbox does per message that the loop does not
    average_bytes = sum(len(data) for _sender, _to, data in prepared) // len(prepared)

    def bare():
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for sender, recipients, data in prepared:
                smtp.sendmail(sender, recipients, data)

    def reset():
        OutboxMessage.objects.update(
            status=OutboxMessage.Status.PENDING, attempts=0, sent_at=None, claimed_at=None, claimed_by=""
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE amnesty_portal_outboxmessage")

    def outbox():
        result = mail.deliver_all(limit=messages + 1)
        assert result == {"sent": messages, "retry": 0, "failed": 0}, result

    def outbox_no_smtp():
        # The outbox's own work: claims and the two UPDATEs a row, no MIME and no SMTP (Django's
        # dummy backend takes the messages and does nothing).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            outbox()

    samples = defaultdict(list)
    kinds, profile = Counter(), None

    def count(execute, sql, params, many, context):
        # Counted in the timed run: one function call a query, unlike the debug cursor's log.
        kinds[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    for repetition in range(1 if args.profile else args.inner):
        for name, run in (("smtplib", bare), ("outbox_no_smtp", outbox_no_smtp), ("outbox", outbox)):
            if name == "outbox_no_smtp" and args.profile:
                continue
            if name == "outbox" and not args.profile or name == "outbox_no_smtp" and repetition:
                reset()
            connection.close()  # each run starts on a fresh connection, as a Celery task does
            connection.ensure_connection()
            before = counter.value
            profiler = cProfile.Profile() if args.profile and name == "outbox" else None
            kinds.clear()
            with connection.execute_wrapper(count):
                if profiler:
                    profiler.enable()
                started = time.perf_counter()
                run()
                seconds = time.perf_counter() - started
                if profiler:
                    profiler.disable()
            assert counter.value - before == (0 if name == "outbox_no_smtp" else messages), (name, counter.value)
            samples[name].append(seconds)
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
                profile = out.getvalue()
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == messages
    stop.set()
    process.join(10)

    runs = {"mime": {"seconds": round(mime_seconds, 4), "per_second": round(messages / mime_seconds, 1)}}
    for name in samples:
        seconds = statistics.median(samples[name])
        runs[name] = {"seconds": round(seconds, 4), "per_second": round(messages / seconds, 1)}
    result = {
        "vendor": connection.vendor,
        "sink": sink_kind,
        "messages": messages,
        "average_message_bytes": average_bytes,
        "average_text_and_html_chars": average_chars,
        "runs": runs,
        "ratio": round(runs["outbox"]["per_second"] / runs["smtplib"]["per_second"], 3),
    }
    # Django's connection.commit() in autocommit mode is not a statement; the driver commits each one.
    result["queries"] = sum(kinds.values())
    result["query_kinds"] = dict(kinds)
    if profile is not None:
        result["profile"] = profile
    print(json.dumps(result))


# --- The driver -----------------------------------------------------------------------------------


def measure(backend: str, messages: int, args, scratch: Path, *, profile=False) -> dict:
    command = [sys.executable, __file__, "--worker", "--messages", str(messages), "--seed", str(args.seed)]
    command += ["--inner", str(args.inner)]
    command += ["--profile"] if profile else []
    return run_on_fresh_database(backend, "bench_outbox", command, scratch, HOST)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="timed processes per size and database (median)")
    parser.add_argument("--inner", type=int, default=1, help="repetitions of both runs within a process (median)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--profile", action="store_true", help="also profile deliver_all() at the smallest size")
    parser.add_argument("--out", default="outbox.json", help="file name under bench/results/")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    backends = available_backends()
    sizes = sorted(set(args.messages))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, messages {sizes}, median of {args.repeat}")
    timed = {(backend, size): [] for backend in backends for size in sizes}
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as scratch:
        scratch = Path(scratch)
        for _ in range(args.repeat):
            for backend in backends:
                for size in sizes:
                    timed[backend, size].append(measure(backend, size, args, scratch))
        for backend in backends:
            for size in sizes:
                samples = timed[backend, size]
                result = {
                    "backend": backend,
                    "messages": size,
                    "sink": samples[0]["sink"],
                    "average_message_bytes": samples[0]["average_message_bytes"],
                    "queries": samples[0]["queries"],
                    "query_kinds": samples[0]["query_kinds"],
                    "ratio": statistics.median(sample["ratio"] for sample in samples),
                    "ratio_all": sorted(sample["ratio"] for sample in samples),
                }
                for name in (*RUNS, *EXTRA_RUNS):
                    rates = sorted(sample["runs"][name]["per_second"] for sample in samples if name in sample["runs"])
                    if rates:
                        result[name] = {"per_second": statistics.median(rates), "per_second_all": rates}
                if args.profile and size == sizes[0]:
                    result["profile"] = measure(backend, size, args, scratch, profile=True)["profile"]
                results.append(result)
                print_row(result)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / args.out).write_text(json.dumps(results, indent=2) + "\n")


def print_row(result):
    rates = "  ".join(
        f"{name} {result[name]['per_second']:>7.0f} msg/s "
        f"({', '.join(f'{rate:.0f}' for rate in result[name]['per_second_all'])})"
        for name in (*RUNS, *EXTRA_RUNS)
        if name in result
    )
    print(
        f"{result['backend']:<10} {result['messages']:>6} messages  {rates}  outbox/smtplib {result['ratio']:.2f} "
        f"({', '.join(map(str, result['ratio_all']))})  queries {result['queries']} {result['query_kinds']}  "
        f"sink {result['sink']}, {result['average_message_bytes']} bytes/message",
        flush=True,
    )
    if "profile" in result:
        print(result["profile"], flush=True)


if __name__ == "__main__":
    main()
