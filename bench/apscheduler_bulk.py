#!/usr/bin/python3
"""apscheduler_bulk.py - the peer of bench/bulk-add.sh: APScheduler 3
adding N jobs to a SQLAlchemyJobStore on SQLite, in one process.

N interval jobs (hours = i % 24 + 1, as bench/bulk-add.sh's lines), a
module-level function, BackgroundScheduler with its default executor;
the jobs are added to a running, paused scheduler (each add_job writes
its row: APScheduler has no batch add), then it shuts down.  The time is
from before the scheduler is made to after the shutdown, so it counts
the creation of the store, as the manager's figure counts its process
and its database.  One line of key=value results.
"""
import argparse
import datetime
import logging
import time

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler


def job():
    pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--db", required=True)
    o = ap.parse_args()
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    t0 = time.monotonic()
    sched = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url="sqlite:///" + o.db)},
        timezone=datetime.timezone.utc)
    sched.start(paused=True)
    for i in range(o.tasks):
        sched.add_job(job, "interval", hours=i % 24 + 1, id="t%06d" % i)
    sched.shutdown(wait=True)
    s = time.monotonic() - t0
    print("mode=apscheduler-sqlalchemy tasks=%d seconds=%.3f tasks_per_s=%.0f"
          % (o.tasks, s, o.tasks / s))


if __name__ == "__main__":
    main()
