"""Benchmark of the member-register import: rows per second and peak memory, SQLite and PostgreSQL.

    .venv/bin/python bench/import_members.py [--rows N ...] [--batch-size N]

Generates realistic register exports, then, for every size and database, imports each into a
fresh throwaway database in a child process: the first run (everyone new), a rerun of the same
file (nothing changes), a run where every tenth person moved, and a rerun of that after ANALYZE.
That is repeated (--repeat; the median is reported, shared machines are noisy). Memory is measured
in one more child process with tracemalloc on, because tracing slows Python down. SQLite always (a
temporary file, the portal's own SQLite settings); PostgreSQL when DATABASE_URL points to a server, in a
database created for the run and dropped afterwards. Results: stdout and bench/results/.
"""

import argparse
import csv
import datetime
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The CRM export's columns (activists.member_import.COLUMNS; not imported here, since this file
# generates data before Django is set up).
HEADER = [
    "medlemsnummer",
    "fornavn",
    "etternavn",
    "epost",
    "telefon",
    "fodselsar",
    "kjonn",
    "postnummer",
    "sprak",
    "status",
    "medlem_fra",
    "utmeldt_dato",
    "samtykke_epost",
]
_FIRST_NAMES = (
    "Nora Emma Ella Maja Olivia Sofie Ingrid Sara Frida Astrid Vilde Ida Tuva Julie Hanna Kari Anne Liv Randi "
    "Solveig Marit Silje Ragnhild Guro Siri Amina Fatima Aisha Sigrid Jakob Emil Noah Oliver Filip Lucas Henrik "
    "Oskar Aksel Magnus Isak Tobias Sander Jonas Ola Per Jan Lars Knut Bjørn Terje Geir Svein Håkon Eirik "
    "Øyvind Ali Mohammed Omar Daniel Jørgen"
)
_LAST_NAMES = (
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen "
    "Eriksen Berg Haugen Hagen Dahl Jørgensen Lund Halvorsen Sørensen Moen Strand Solberg Eide Bakken Lie "
    "Nguyen Rasmussen Ali Solheim Nygård Holm Sæther Aas Myhre Ahmed Næss Vik Ødegård Eira Hætta Somby"
)
FIRST_NAMES, LAST_NAMES = _FIRST_NAMES.split(), _LAST_NAMES.split()
GENDERS = ["kvinne"] * 60 + ["mann"] * 35 + ["ikke-binær", "annet", "ønsker ikke å oppgi", "", ""]
STATUSES = ["betalende"] * 80 + ["utmeldt"] * 15 + ["ikke-medlem"] * 5
ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "AE", "Ø": "O", "Å": "A"})


# --- Generating an export ---------------------------------------------------------------------


def postal_codes():
    with open(ROOT / "regions" / "data" / "postal_codes.csv", encoding="utf-8", newline="") as handle:
        # Street-address codes (G) and codes for both streets and P.O. boxes (B): where people live.
        return [row["postnummer"] for row in csv.DictReader(handle) if row["category"] in {"G", "B"}]


def phone(rng):
    import phonenumbers

    while True:
        digits = rng.choice("49") + f"{rng.randrange(10**7):07d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(digits, "NO")):
            break
    return rng.choice([digits, f"{digits[:3]} {digits[3:5]} {digits[5:]}", f"+47 {digits}"])


def a_date(rng, start, end):
    day = start + datetime.timedelta(days=rng.randrange((end - start).days))
    return day.isoformat() if rng.random() < 0.5 else day.strftime("%d.%m.%Y")


def generate(path: Path, rows: int, *, seed: int = 2024, changed_every: int = 0):
    """A register export of `rows` people; with changed_every=n, every n-th person has moved."""
    rng = random.Random(seed)
    codes = postal_codes()
    today = datetime.date.today()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            status = rng.choice(STATUSES)
            joined = a_date(rng, datetime.date(1985, 1, 1), today)
            lapsed = a_date(rng, datetime.date(2015, 1, 1), today) if status == "utmeldt" else ""
            code = rng.choice(codes)
            if changed_every and n % changed_every == 0:
                code = codes[(codes.index(code) + 1) % len(codes)]
            writer.writerow(
                [
                    str(100000 + n),
                    first,
                    last,
                    f"{first}.{last}.{n}@example.org".translate(ASCII).lower() if rng.random() < 0.95 else "",
                    phone(rng) if rng.random() < 0.9 else "",
                    str(rng.randint(1940, 2008)),
                    rng.choice(GENDERS),
                    code,
                    "en" if rng.random() < 0.08 else "nb",
                    status,
                    joined,
                    lapsed,
                    rng.choice(["ja", "nei"]),
                ]
            )


# --- One measurement in a child process ---------------------------------------------------------


def worker(args):
    """Import into a fresh database: first run, rerun, then the changed file. Prints JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amnesty_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from activists.member_import import import_members

    runs = {}
    plan = [("first", args.csv), ("rerun", args.csv), ("changed", args.changed_csv), ("analysed", args.changed_csv)]
    for name, path in plan:
        if name == "analysed":
            # Until autovacuum has analysed the table, PostgreSQL looks people up with sequential
            # scans; in production a sync runs days after the previous one, on an analysed table.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        connection.close()  # every run starts like a fresh request
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if args.trace:
            tracemalloc.start()
        started = time.perf_counter()
        result = import_members(actor=None, file=path, batch_size=args.batch_size)
        seconds = time.perf_counter() - started
        runs[name] = {
            "seconds": round(seconds, 2),
            "rows_per_second": round(args.rows / seconds),
            "counts": result.counts,
            "file_error": result.file_error,
            "ru_maxrss_delta_mib": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024, 1),
        }
        if args.trace:
            runs[name]["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
    print(json.dumps({"vendor": connection.vendor, "runs": runs}))


# --- The driver ---------------------------------------------------------------------------------


def postgres_database(server_url: str, name: str, *, drop: bool = False) -> str:
    import psycopg2

    parts = urlsplit(server_url)
    admin = psycopg2.connect(server_url)
    try:
        admin.autocommit = True  # CREATE DATABASE refuses to run in a transaction
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"' if drop else f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when DATABASE_URL names a server (as under tests/services.sh)."""
    found = ["sqlite"]
    if urlsplit(os.environ.get("DATABASE_URL", "")).scheme in {"postgres", "postgresql"}:
        found.append("postgresql")
    return found


def run_on_fresh_database(backend: str, prefix: str, command: list, scratch: Path, host: str = "localhost") -> dict:
    """Run a measuring process on a fresh database with production settings (DEBUG off, so Django
    keeps no query log): SQLite under a temporary VAR_DIR, or a PostgreSQL database created on the
    DATABASE_URL server and dropped afterwards, migrated in a process of its own (so migrating
    stays out of the measurement and its memory). Returns the JSON the process printed last."""
    env = dict(os.environ, DEBUG="false", SECRET_KEY=secrets.token_urlsafe(40), ALLOWED_HOSTS=host)
    env["VAR_DIR"] = tempfile.mkdtemp(dir=scratch)
    database = None
    if backend == "sqlite":
        env.pop("DATABASE_URL", None)
    else:
        database = f"{prefix}_{secrets.token_hex(4)}"
        env["DATABASE_URL"] = postgres_database(os.environ["DATABASE_URL"], database)
    try:
        migrate = [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"]
        subprocess.run(migrate, env=env, check=True, capture_output=True, text=True)
        output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as exc:
        sys.exit(f"{backend}: {' '.join(exc.cmd[1:3])} failed:\n{exc.stderr}")
    finally:
        if database:
            postgres_database(os.environ["DATABASE_URL"], database, drop=True)
    return json.loads(output.strip().splitlines()[-1])


def measure(backend: str, rows: int, files: dict, batch_size: int, trace: bool, scratch: Path) -> dict:
    command = [sys.executable, __file__, "--worker", "--rows", str(rows), "--batch-size", str(batch_size)]
    command += ["--csv", str(files["csv"]), "--changed-csv", str(files["changed"])]
    if trace:
        command.append("--trace")
    return run_on_fresh_database(backend, "bench_import", command, scratch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size and database (median)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--changed-csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.rows = args.rows[0]
        return worker(args)

    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, batch size {args.batch_size}, median of {args.repeat}"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        scratch = Path(scratch)
        for rows in args.rows:
            files = {"csv": scratch / f"register-{rows}.csv", "changed": scratch / f"register-{rows}-changed.csv"}
            generate(files["csv"], rows)
            generate(files["changed"], rows, changed_every=10)
            size_mib = files["csv"].stat().st_size / 2**20
            for backend in backends():
                timed = [measure(backend, rows, files, args.batch_size, False, scratch) for _ in range(args.repeat)]
                traced = measure(backend, rows, files, args.batch_size, True, scratch)
                runs = {}
                for name in ("first", "rerun", "changed", "analysed"):
                    samples = [t["runs"][name] for t in timed]
                    expected = {"first": rows, "rerun": 0, "changed": rows // 10, "analysed": 0}
                    for run in samples:
                        touched = run["counts"]["new"] + run["counts"]["changed"]
                        assert touched == expected[name] and not run["file_error"], (backend, name, run)
                    rates = sorted(run["rows_per_second"] for run in samples)
                    runs[name] = {
                        "rows_per_second": statistics.median(rates),
                        "rows_per_second_all": rates,
                        "counts": samples[0]["counts"],
                        "ru_maxrss_delta_mib": max(run["ru_maxrss_delta_mib"] for run in samples),
                        "tracemalloc_peak_mib": traced["runs"][name]["tracemalloc_peak_mib"],
                    }
                results.append({"backend": backend, "rows": rows, "file_mib": round(size_mib, 1), "runs": runs})
                print_rows(results[-1])
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "import_members.json").write_text(json.dumps(results, indent=2) + "\n")


def print_rows(result):
    for name, run in result["runs"].items():
        print(
            f"{result['backend']:<10} {result['rows']:>7} rows ({result['file_mib']} MiB)  {name:<7} "
            f"{run['rows_per_second']:>7.0f} rows/s (runs: {', '.join(map(str, run['rows_per_second_all']))})  "
            f"tracemalloc peak {run['tracemalloc_peak_mib']:>5} MiB  "
            f"ru_maxrss +{run['ru_maxrss_delta_mib']} MiB  counts {run['counts']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
