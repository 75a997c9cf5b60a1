#!/usr/bin/python3
"""apscheduler_bench.py - the same dispatch benchmark for APScheduler 3.

N interval jobs due every second, start times spread evenly over one
second, a no-op function, BackgroundScheduler with a ThreadPoolExecutor(10)
or a ProcessPoolExecutor(2), MemoryJobStore (APScheduler keeps no run
history; we keep lateness in memory only, which favours it).  Lateness is
the time the job is handed to the executor minus its scheduled run time,
taken from the job-submitted event's scheduled_run_times.  As in
bench/sched_bench: the jobs are added, then the scheduler starts, runs
--warmup seconds, then the window of --seconds is measured; runs are the
fire times of the window whose function ran (the job-executed event),
missed and skipped (max_instances) are counted from their events, and
coalesced are the fire times that APScheduler folded into a later one
(asked minus submitted, missed and skipped, at the end of the window).
APScheduler has no loop of ours to watch: stall_max_ms is not measured.
One line of key=value results, like bench/sched_bench.
"""
import argparse
import datetime
import logging
import os
import resource
import threading
import time

from apscheduler.events import EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED, \
    EVENT_JOB_MAX_INSTANCES, EVENT_JOB_EXECUTED
from apscheduler.executors.pool import ProcessPoolExecutor, ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler


def noop():
    pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--executor", choices=("thread", "process"), default="thread")
    o = ap.parse_args()
    # Skipped and missed runs are counted, not printed one by one.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    executor = ThreadPoolExecutor(10) if o.executor == "thread" \
        else ProcessPoolExecutor(2)
    sched = BackgroundScheduler(executors={"default": executor},
                                timezone=datetime.timezone.utc)
    lateness = []
    counts = {"missed": 0, "skipped": 0, "submitted": 0, "executed": 0}
    lock = threading.Lock()
    window = [0.0, 0.0]

    # Submission is when APScheduler hands the job to its executor: the
    # dispatch moment, as sched_bench measures it for ours.
    def on_submit(ev):
        now = time.time()
        with lock:
            for rt in ev.scheduled_run_times:
                t = rt.timestamp()
                if window[0] <= t < window[1]:
                    lateness.append(now - t)
                    counts["submitted"] += 1

    def in_window(ev):
        return window[0] <= ev.scheduled_run_time.timestamp() < window[1]

    def on_executed(ev):
        if in_window(ev):
            with lock:
                counts["executed"] += 1

    def on_missed(ev):
        if in_window(ev):
            with lock:
                counts["missed"] += 1

    def on_skipped(ev):
        with lock:
            for rt in ev.scheduled_run_times:
                if window[0] <= rt.timestamp() < window[1]:
                    counts["skipped"] += 1

    sched.add_listener(on_submit, EVENT_JOB_SUBMITTED)
    sched.add_listener(on_executed, EVENT_JOB_EXECUTED)
    sched.add_listener(on_missed, EVENT_JOB_MISSED)
    sched.add_listener(on_skipped, EVENT_JOB_MAX_INSTANCES)
    base = int(time.time()) + 2
    t0 = time.monotonic()
    for i in range(o.tasks):
        start = datetime.datetime.fromtimestamp(base + i / o.tasks,
                                                datetime.timezone.utc)
        sched.add_job(noop, "interval", seconds=1, start_date=start,
                      misfire_grace_time=60, id="b%07d" % i)
    load = time.monotonic() - t0
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    sched.start()
    window[0] = int(time.time() + o.warmup) + 1
    window[1] = window[0] + o.seconds
    time.sleep(max(0, window[1] - time.time()) + 0.3)
    with lock:
        c = dict(counts)
    sched.shutdown(wait=False)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    with lock:
        v = sorted(lateness)
    n = len(v)

    def pct(p):
        return v[min(n - 1, int(n * p))] * 1e3 if n else 0.0

    asked = int(o.tasks * o.seconds + 0.5)
    coalesced = asked - c["submitted"] - c["missed"] - c["skipped"]
    print("mode=apscheduler-%s tasks=%d load_s=%.3f warmup_s=%.1f window_s=%.1f "
          "asked=%d runs=%d fires_per_s=%.0f skipped=%d missed=%d "
          "coalesced_or_pending=%d submitted_not_run=%d p50_ms=%.3f "
          "p99_ms=%.3f max_ms=%.3f stall_max_ms=n/a cpu_s=%.2f "
          "child_cpu_s=%.2f peak_rss_mb=%.1f" % (
              o.executor, o.tasks, load, o.warmup, o.seconds, asked,
              c["executed"], c["executed"] / o.seconds, c["skipped"],
              c["missed"], coalesced, c["submitted"] - c["executed"],
              pct(0.5), pct(0.99), v[-1] * 1e3 if n else 0.0,
              ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime,
              kids.ru_utime + kids.ru_stime, ru.ru_maxrss / 1024))
    os._exit(0)  # do not wait for a backlog of queued jobs


if __name__ == "__main__":
    main()
