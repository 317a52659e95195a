"""A real Celery worker with beat runs the portal's periodic tasks: with no broker server (the
filesystem transport `make run` uses) and with Redis (production)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))


def _env(var_dir, **extra):
    scrubbed = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in scrubbed}
    env.update(DEBUG="true", VAR_DIR=str(var_dir), **extra)
    return env


def _heartbeat(env):
    code = "from django.core.cache import cache; print('HEARTBEAT=' + (cache.get('celery-heartbeat') or ''))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("HEARTBEAT=")]
    assert lines, result.stderr
    return lines[-1].removeprefix("HEARTBEAT=")


def _run_worker_with_beat_until_heartbeat(env, var_dir):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    log = open(var_dir / "celery.log", "w")  # noqa: SIM115 -- closed below, after the worker stops
    worker = subprocess.Popen(
        [CELERY, "-A", "amnesty_portal", "worker", "--beat", "--pool=solo", "--loglevel=INFO",
         "--schedule-filename", str(var_dir / "beat-schedule")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            beat = _heartbeat(env)
            if beat:
                return beat
            assert worker.poll() is None, (var_dir / "celery.log").read_text()
            time.sleep(1)
        pytest.fail("no heartbeat within 90 s:\n" + (var_dir / "celery.log").read_text()[-3000:])
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()


def test_worker_and_beat_run_without_a_broker_server(tmp_path):
    env = _env(tmp_path)
    assert _heartbeat(env) == ""
    assert _run_worker_with_beat_until_heartbeat(env, tmp_path)
    assert (tmp_path / "celery-queue").is_dir()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="make test provides Redis")
def test_worker_and_beat_use_redis_when_configured(tmp_path):
    import redis

    url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/5"
    redis.Redis.from_url(url).flushdb()
    env = _env(tmp_path, REDIS_URL=url)
    assert _run_worker_with_beat_until_heartbeat(env, tmp_path)
    # The broker was Redis: kombu's bindings live there, and no filesystem queue was made.
    assert redis.Redis.from_url(url).keys("_kombu.binding.*")
    assert not (tmp_path / "celery-queue").exists()
