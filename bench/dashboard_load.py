"""Load benchmark of the regional dashboard, the national overview and the group list, against a baseline.

    ./tests/services.sh .venv/bin/python bench/dashboard_load.py [--scale 0.05] [--rate 10] [--duration 60]

In a fresh throwaway PostgreSQL database (import_members.run_on_fresh_database: production
settings, DEBUG off, migrated in a process of its own), a child process:

1. generates a large organisation with COPY (bench/large_org.py: 100,000 people, 10,000 groups,
   1,000,000 activities at --scale 1) and times `dashboard.summaries.refresh()` on it;
2. renders each page once in-process (Django's test Client, logged in with force_login) with
   CaptureQueriesContext, runs EXPLAIN (ANALYZE, BUFFERS) on every SELECT it made, and writes the
   plans to bench/results/dashboard_explain.txt; the queries the baseline makes too (session, user,
   roles, two-factor check) are told apart as the middleware's;
3. serves the portal with gunicorn (bench.settings: the production settings plus the baseline view
   /bench/baseline/, login required, one primary-key query) and, for each of two modes, the
   dashboard cache off (DASHBOARD_CACHE_SECONDS=0) and on (warmed first), loads each page in turn
   with locust (bench/dashboard_locustfile.py, a second process: headless, a fixed number of users,
   each at constant_throughput, so a fixed request rate) at the same rate and for the same time,
   in --rounds interleaved rounds: the baseline, the regional dashboard (the leader of the region
   with most groups), the national overview (an admin), the group list (that leader);
4. reports p50, p95 and p99 latency and throughput per page and as ratios to the baseline of the
   same mode, from every request's own timing (locust's CSV, kept next to it, rounds to two
   significant digits), on stdout and in bench/results/dashboard_load.json.

Pages that do not exist (yet) are left out and reported as such.
"""

import argparse
import cProfile
import csv
import http.client
import io
import json
import os
import pstats
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# bench/ is on sys.path when this file runs as a script.
from import_members import ROOT, run_on_fresh_database

HOST = "127.0.0.1"
RESULTS = ROOT / "bench" / "results"
TARGETS = ("baseline", "regional_dashboard", "national_overview", "group_list")
EXPLAINED = ("baseline", "regional_dashboard", "national_overview", "group_list")
MODES = {"no_cache": 0, "cache": 3600}  # DASHBOARD_CACHE_SECONDS; 3600 outlasts the run
AIMS = {"no_cache": 3.0, "cache": 1.3}  # regional dashboard p95 / baseline p95
SQL_AIM_MS = 20.0
RENDERS = 5  # in-process renders timed per page and mode
PROFILED = ("regional_dashboard", "national_overview")
PROFILE_LINES = 25


# --- In the child process (Django set up) -------------------------------------------------------


class Progress:
    """Progress lines to a file the driver echoes (the child's stdout is its JSON result)."""

    def __init__(self, path):
        self.handle = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 -- kept open for the run

    def __call__(self, *parts, **_kwargs):
        self.handle.write(" ".join(str(part) for part in parts) + "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def session_cookie(user) -> str:
    """A logged-in session stored in the database, as a login would leave it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _plan_times(lines: list[str]) -> tuple[float, float]:
    def find(label):
        for line in lines:
            match = re.match(rf"\s*{label} Time: ([\d.]+) ms", line)
            if match:
                return float(match.group(1))
        return 0.0

    return find("Planning"), find("Execution")


def _shape(sql: str) -> str:
    """The statement with its literals taken out: the session key and user id differ between pages."""
    return re.sub(r"\b\d+\b", "?", re.sub(r"'(?:[^']|'')*'", "?", sql))


def explain_pages(pages: dict, users: dict, log) -> dict:
    """Render each page in-process, capture its SQL, EXPLAIN ANALYZE every SELECT. Also times
    RENDERS renders per page with the cache off and on (median)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    out = {}
    baseline_sql = None
    for name in EXPLAINED:
        if name not in pages:
            continue
        client = Client(HTTP_HOST=HOST)
        client.force_login(users[name])
        page = {"path": pages[name]}
        with override_settings(DASHBOARD_CACHE_SECONDS=0):
            client.get(pages[name], secure=True)  # imports, templates compiled
            with CaptureQueriesContext(connection) as captured:
                response = client.get(pages[name], secure=True)
            # captured_queries reads the connection's log when asked: take it before the next requests.
            captured = list(captured.captured_queries)
            page["status"] = response.status_code
            page["bytes"] = len(response.content)
            timings = []
            for _ in range(RENDERS):
                started = time.perf_counter()
                client.get(pages[name], secure=True)
                timings.append(time.perf_counter() - started)
            page["render_ms_no_cache"] = round(statistics.median(timings) * 1000, 1)
            if name in PROFILED:  # where a render's time goes, beyond the SQL
                profile = cProfile.Profile()
                profile.runcall(client.get, pages[name], secure=True)
                text = io.StringIO()
                stats = pstats.Stats(profile, stream=text)
                text.write("The portal's own functions, by cumulative time:\n")
                stats.sort_stats("cumulative").print_stats(f"^{re.escape(str(ROOT))}/(?!\\.venv)", PROFILE_LINES)
                text.write("Every function, by time spent in the function itself:\n")
                stats.sort_stats("tottime").print_stats(PROFILE_LINES)
                page["profile"] = text.getvalue()
        with override_settings(DASHBOARD_CACHE_SECONDS=MODES["cache"]):
            client.get(pages[name], secure=True)  # fills the cache
            with CaptureQueriesContext(connection) as cached:
                timings = []
                for _ in range(RENDERS):
                    started = time.perf_counter()
                    client.get(pages[name], secure=True)
                    timings.append(time.perf_counter() - started)
            page["render_ms_cache"] = round(statistics.median(timings) * 1000, 1)
            page["queries_cache"] = len(cached.captured_queries) // RENDERS
        queries = []
        for query in captured:
            sql = query["sql"]
            entry = {"sql": sql, "seconds": float(query["time"])}
            if name == "baseline":
                entry["middleware"] = not sql.lstrip().startswith('SELECT "regions_region"."id"')
            else:
                entry["middleware"] = _shape(sql) in (baseline_sql or set())
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = [row[0] for row in cursor.fetchall()]
                entry["plan"] = plan
                entry["planning_ms"], entry["execution_ms"] = _plan_times(plan)
            queries.append(entry)
        if name == "baseline":
            baseline_sql = {_shape(q["sql"]) for q in queries if q["middleware"]}
        own = [q for q in queries if not q["middleware"] and "plan" in q]
        page["queries"] = queries
        page["query_count"] = len(queries)
        page["middleware_queries"] = sum(1 for q in queries if q["middleware"])
        page["own_selects"] = len(own)
        page["own_execution_ms"] = round(sum(q["execution_ms"] for q in own), 2)
        page["own_planning_ms"] = round(sum(q["planning_ms"] for q in own), 2)
        page["own_max_execution_ms"] = round(max((q["execution_ms"] for q in own), default=0.0), 2)
        page["all_execution_ms"] = round(sum(q.get("execution_ms", 0.0) for q in queries), 2)
        page["sql_seconds_in_render"] = round(sum(q["seconds"] for q in queries), 4)
        out[name] = page
        log(
            f"  {name}: HTTP {page['status']}, {page['query_count']} queries "
            f"({page['middleware_queries']} middleware), "
            f"own SELECTs {page['own_execution_ms']} ms executing (max {page['own_max_execution_ms']}) "
            f"+ {page['own_planning_ms']} ms planning; render {page['render_ms_no_cache']} ms, "
            f"from the cache {page['render_ms_cache']} ms ({page['queries_cache']} queries)"
        )
    return out


def write_explain(explained: dict, generation: dict, path: Path):
    lines = [
        "EXPLAIN (ANALYZE, BUFFERS) of every SELECT each page makes, rendered once in-process with the",
        f"dashboard cache off, at scale {generation['scale']}: {json.dumps(generation['counts'], default=str)}",
        "Queries marked [middleware] are the ones the baseline makes too (session, user, roles, 2FA check).",
        "",
    ]
    for name, page in explained.items():
        lines.append("=" * 100)
        lines.append(
            f"{name}  {page['path']}  HTTP {page['status']}, {page['query_count']} queries, "
            f"{page['middleware_queries']} of them middleware"
        )
        lines.append(
            f"own SELECTs: {page['own_selects']}, execution {page['own_execution_ms']} ms in total, "
            f"max {page['own_max_execution_ms']} ms, planning {page['own_planning_ms']} ms; "
            f"all queries' execution {page['all_execution_ms']} ms"
        )
        lines.append("=" * 100)
        if page.get("profile"):
            lines.append(f"--- {name}: cProfile of one render without the cache")
            lines.extend(page["profile"].strip("\n").splitlines())
            lines.append("")
        for number, query in enumerate(page["queries"], 1):
            tag = " [middleware]" if query["middleware"] else ""
            timing = f"execution {query['execution_ms']} ms" if "plan" in query else "not a SELECT"
            lines.append(f"--- {name} query {number}{tag}: {timing}")
            lines.append(query["sql"])
            lines.extend(query.get("plan", []))
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def request(port: int, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Accept-Language": "nb"}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Server:
    """gunicorn serving bench.settings with production settings, on a free local port."""

    def __init__(self, workers: int, cache_seconds: int, log_path: Path):
        self.port = free_port()
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="bench.settings",
            BEHIND_PROXY="true",
            DEBUG="false",
            DASHBOARD_CACHE_SECONDS=str(cache_seconds),
        )
        command = [str(Path(sys.executable).parent / "gunicorn"), "amnesty_portal.wsgi"]
        command += ["--bind", f"{HOST}:{self.port}", "--workers", str(workers), "--log-level", "warning"]
        self.log = open(log_path, "ab")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(self.port, "/helse/", "") == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start: see {log_path}")
            time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def percentile(sorted_values: list[float], p: float) -> float:
    """The p-th percentile, linear between the closest ranks (as statistics.quantiles' inclusive)."""
    if not sorted_values:
        return float("nan")
    rank = (len(sorted_values) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def run_locust(port, target, path, cookie, args, seconds, scratch: Path) -> dict:
    """One locust process at args.rate requests/s for `seconds`; returns its timed samples."""
    prefix = scratch / f"locust-{target}-{time.monotonic_ns()}"
    samples_path = Path(f"{prefix}.samples.json")
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "dashboard_locustfile.py")]
    command += ["--headless", "--users", str(args.users), "--spawn-rate", str(args.users)]
    command += ["--run-time", f"{seconds}s", "--stop-timeout", "30", "--host", f"http://{HOST}:{port}"]
    command += ["--csv", str(prefix), "--reset-stats", "--only-summary", "--loglevel", "WARNING"]
    env = dict(
        os.environ,
        BENCH_PATH=path,
        BENCH_NAME=target,
        BENCH_COOKIE=cookie,
        BENCH_USERS=str(args.users),
        BENCH_RATE_PER_USER=str(args.rate / args.users),
        BENCH_SAMPLES=str(samples_path),
    )
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if not samples_path.exists():
        raise RuntimeError(f"locust failed ({finished.returncode}):\n{finished.stderr[-3000:]}")
    data = json.loads(samples_path.read_text())
    spawned_at = data["spawned_at"] or 0
    samples = [s for s in data["samples"] if s[0] >= spawned_at]
    csv_row = {}
    stats_path = Path(f"{prefix}_stats.csv")
    if stats_path.exists():
        with open(stats_path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Name"] == target:
                    csv_row = {
                        key: row[key]
                        for key in ("Request Count", "Failure Count", "50%", "95%", "99%", "Requests/s")
                        if key in row
                    }
    failures = []
    failures_path = Path(f"{prefix}_failures.csv")
    if failures_path.exists():
        failures = failures_path.read_text().splitlines()[1:6]
    end = max((s[0] + s[1] / 1000 for s in samples), default=spawned_at)
    return {"samples": samples, "window": max(end - spawned_at, 1e-9), "locust_csv": csv_row, "failures": failures}


def summarise(runs: list[dict]) -> dict:
    samples = [s for run in runs for s in run["samples"]]
    ok = sorted(s[1] for s in samples if s[3])
    window = sum(run["window"] for run in runs)
    return {
        "requests": len(samples),
        "failures": sum(1 for s in samples if not s[3]),
        "p50_ms": round(percentile(ok, 50), 2),
        "p95_ms": round(percentile(ok, 95), 2),
        "p99_ms": round(percentile(ok, 99), 2),
        "max_ms": round(ok[-1], 2) if ok else None,
        "mean_bytes": round(statistics.mean(s[2] for s in samples)) if samples else 0,
        "throughput_rps": round(len(ok) / window, 2),
        "seconds_measured": round(window, 1),
        "locust_csv": [run["locust_csv"] for run in runs],
        "failure_messages": sorted({line for run in runs for line in run["failures"]}),
    }


def worker(args):
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import large_org
    from django.db import connection
    from django.urls import Resolver404, resolve

    from activists.models import User

    log = Progress(args.progress)
    result = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "loadavg_start": os.getloadavg()},
        "options": {k: v for k, v in vars(args).items() if k not in ("worker", "progress", "scratch")},
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        result["machine"]["postgresql"] = cursor.fetchone()[0]
    log(f"Generating the organisation at scale {args.scale} with COPY ...")
    generation = large_org.generate(args.scale, args.seed, log=log)
    result["generation"] = generation
    log(f"  generated in {generation['seconds']['total']} s")

    try:
        from dashboard import summaries
    except ImportError:
        summaries = None
    if summaries is not None and hasattr(summaries, "refresh"):
        log("Refreshing the dashboard's summary tables ...")
        started = time.perf_counter()
        summaries.refresh()
        result["refresh_seconds"] = round(time.perf_counter() - started, 2)
        from django.apps import apps

        result["summary_rows"] = {
            model._meta.db_table: model.objects.count() for model in apps.get_app_config("dashboard").get_models()
        }
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"  refresh() took {result['refresh_seconds']} s; rows {result['summary_rows']}")
    else:
        result["refresh_seconds"] = None
        log("  dashboard.summaries.refresh() does not exist (yet): not refreshed")

    counts = generation["counts"]["regions"]
    slug = args.region or max(counts, key=counts.get)
    region_pk = {s: pk for pk, s in generation["regions"].items()}[slug]
    leader = User.objects.get(pk=generation["staff"]["leaders"][region_pk])
    admin = User.objects.get(pk=generation["staff"]["admin"])
    pages = {
        "baseline": f"/bench/baseline/?region={region_pk}",
        "regional_dashboard": f"/oversikt/{slug}/",
        "national_overview": "/oversikt/",
        "group_list": "/grupper/",
    }
    users = {"baseline": leader, "regional_dashboard": leader, "national_overview": admin, "group_list": leader}
    missing = []
    for name, path in list(pages.items()):
        try:
            resolve(path.split("?")[0])
        except Resolver404:
            missing.append(name)
            del pages[name]
    result["region"] = slug
    result["region_groups"] = counts[slug]
    result["pages"] = pages
    result["missing_pages"] = missing
    if missing:
        log(f"Pages that do not exist (yet), left out: {', '.join(missing)}")

    log(f"Capturing and explaining the pages' SQL (region {slug}, {counts[slug]} groups) ...")
    explained = explain_pages(pages, users, log)
    result["refused_pages"] = {name: page["status"] for name, page in explained.items() if page["status"] != 200}
    for name, status in result["refused_pages"].items():
        log(f"  {name} answered HTTP {status} in-process: left out of the load")
        pages.pop(name, None)
    RESULTS.mkdir(exist_ok=True)
    write_explain(explained, generation, RESULTS / "dashboard_explain.txt")
    result["explain"] = {
        name: {key: value for key, value in page.items() if key not in ("queries", "profile")}
        | {
            "queries": [
                {k: v for k, v in q.items() if k in ("sql", "execution_ms", "planning_ms", "middleware")}
                for q in page["queries"]
            ]
        }
        for name, page in explained.items()
    }

    cookies = {name: session_cookie(users[name]) for name in pages}
    scratch = Path(args.scratch)
    per_run = max(5, round(args.duration / args.rounds))
    result["load"] = {}
    for mode, cache_seconds in MODES.items():
        log(f"Load, {mode} (DASHBOARD_CACHE_SECONDS={cache_seconds}): {args.rate} req/s, {args.users} users, ")
        log(f"  {args.rounds} rounds of {per_run} s per page, gunicorn with {args.workers} workers ...")
        server = Server(args.workers, cache_seconds, scratch / f"gunicorn-{mode}.log")
        try:
            for name, path in pages.items():  # warm every worker (and, with the cache on, the cache)
                for _ in range(3 * args.workers):
                    status = request(server.port, path, cookies[name])
                    if status != 200:
                        raise RuntimeError(f"{name} {path}: HTTP {status} from gunicorn")
            runs = {name: [] for name in pages}
            for round_ in range(args.rounds):
                for name, path in pages.items():
                    run = run_locust(server.port, name, path, cookies[name], args, per_run, scratch)
                    runs[name].append(run)
                    ok = sorted(s[1] for s in run["samples"] if s[3])
                    log(
                        f"  round {round_ + 1} {name:<19} {len(run['samples']):>5} requests, "
                        f"p50 {percentile(ok, 50):7.1f} ms, p95 {percentile(ok, 95):7.1f} ms, "
                        f"{len(ok) / run['window']:6.2f} req/s"
                    )
        finally:
            server.stop()
        summary = {name: summarise(runs[name]) for name in pages}
        base = summary["baseline"]
        for figures in summary.values():
            figures["ratio_to_baseline"] = {
                key: round(figures[key] / base[key], 2) if base[key] else None
                for key in ("p50_ms", "p95_ms", "p99_ms", "throughput_rps")
            }
        result["load"][mode] = {"dashboard_cache_seconds": cache_seconds, "pages": summary}
    result["machine"]["loadavg_end"] = os.getloadavg()
    print(json.dumps(result, default=str))


# --- The driver --------------------------------------------------------------------------------


def follow(path: Path, stop: threading.Event):
    """Echo the child's progress file while it runs."""
    position = 0
    while True:
        done = stop.is_set()
        if path.exists():
            with open(path, encoding="utf-8") as handle:
                handle.seek(position)
                chunk = handle.read()
                position = handle.tell()
            if chunk:
                print(chunk, end="", flush=True)
        if done:
            return
        stop.wait(1)


def report(result: dict):
    generation = result["generation"]
    print()
    print(
        f"{result['machine']['cpus']} CPUs, PostgreSQL {result['machine']['postgresql']}, scale {generation['scale']}: "
        f"{generation['counts']['people']} people, {generation['counts']['groups']} groups, "
        f"{generation['counts']['report_activities']} activities; generated in {generation['seconds']['total']} s; "
        f"refresh() {result['refresh_seconds']} s"
    )
    if result["missing_pages"]:
        print(f"Not measured (no such page yet): {', '.join(result['missing_pages'])}")
    for name, status in result["refused_pages"].items():
        print(f"Not measured: {name} answered HTTP {status}")
    print(f"Region {result['region']} ({result['region_groups']} groups).")
    for name, page in result["explain"].items():
        aim = ""
        if name in ("regional_dashboard", "national_overview"):
            aim = "  (aim 20 ms: " + ("met)" if page["own_execution_ms"] <= SQL_AIM_MS else "NOT met)")
        print(
            f"  SQL {name:<19} {page['query_count']:>3} queries ({page['middleware_queries']} middleware); own SELECTs "
            f"execute in {page['own_execution_ms']:7.2f} ms (max {page['own_max_execution_ms']:.2f}), "
            f"plan {page['own_planning_ms']:.2f} ms{aim}"
        )
    options = result["options"]
    print(
        f"Load: {options['rate']} req/s from {options['users']} locust users, "
        f"{options['rounds']} rounds, {options['duration']} s per page and mode, gunicorn {options['workers']} workers"
    )
    header = f"{'mode':<9} {'page':<19} {'requests':>8} {'fail':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    header += f" {'req/s':>7}"
    print(header + "   ratios to baseline: p50   p95   p99  req/s")
    for mode, load in result["load"].items():
        for name, f in load["pages"].items():
            r = f["ratio_to_baseline"]
            print(
                f"{mode:<9} {name:<19} {f['requests']:>8} {f['failures']:>5} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} "
                f"{f['p99_ms']:>8.1f} {f['throughput_rps']:>7.2f}   {'':>19}{r['p50_ms']!s:>5} {r['p95_ms']!s:>5} "
                f"{r['p99_ms']!s:>5} {r['throughput_rps']!s:>5}"
            )
        dashboard = load["pages"].get("regional_dashboard")
        if dashboard:
            ratio = dashboard["ratio_to_baseline"]["p95_ms"]
            print(f"  {mode}: regional dashboard p95 / baseline p95 = {ratio} (aim {AIMS[mode]}×)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (default 1)")
    parser.add_argument("--rate", type=float, default=5, help="requests per second, every page (default 5)")
    parser.add_argument("--duration", type=int, default=60, help="seconds per page and cache mode (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds the duration is split into")
    parser.add_argument("--users", type=int, default=20, help="locust users sharing the rate (default 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--region", help="the regional dashboard's region slug (default: the one with most groups)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--progress", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL server (run under ./tests/services.sh)")
    if not os.environ.get("REDIS_URL"):
        print("REDIS_URL is not set: the dashboard cache will be the file cache, not Redis", flush=True)

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as scratch:
        scratch = Path(scratch)
        progress = scratch / "progress.log"
        command = [sys.executable, __file__, "--worker", "--progress", str(progress), "--scratch", str(scratch)]
        for option in ("scale", "rate", "duration", "rounds", "users", "workers", "seed"):
            command += [f"--{option}", str(getattr(args, option))]
        if args.region:
            command += ["--region", args.region]
        stop = threading.Event()
        echo = threading.Thread(target=follow, args=(progress, stop), daemon=True)
        echo.start()
        try:
            result = run_on_fresh_database("postgresql", "bench_dashboard", command, scratch, HOST)
        finally:
            stop.set()
            echo.join()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dashboard_load.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    report(result)
    print(f"\nFigures: {RESULTS / 'dashboard_load.json'}; plans: {RESULTS / 'dashboard_explain.txt'}")


if __name__ == "__main__":
    main()
