"""The peer of bench/api-load.sh: FastAPI + uvicorn serving a task's row
from the manager's SQLite database, with the same bearer token check, and
pausing/resuming it (one UPDATE committed per request).

    MGR_DB=FILE MGR_TOKEN=TOKEN python3 -m uvicorn fastapi_task:app --port P
"""
import json
import os
import sqlite3
import threading

from fastapi import FastAPI, Header, HTTPException

app = FastAPI()
DB = os.environ["MGR_DB"]
TOKEN = "Bearer " + os.environ["MGR_TOKEN"]
local = threading.local()


def db():
    # One connection per worker thread: sync routes run in a thread pool.
    if not hasattr(local, "c"):
        local.c = sqlite3.connect(DB, timeout=5)
        local.c.row_factory = sqlite3.Row
    return local.c


def row(task_id):
    r = db().execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
    if r is None:
        raise HTTPException(404, "no task " + task_id)
    d = dict(r)
    d["trigger_args"] = json.loads(d["trigger_args"])
    return d


def check(authorization):
    if authorization != TOKEN:
        raise HTTPException(401, "bad token")


@app.get("/manager/tasks/{task_id}")
def get_task(task_id: str, authorization: str = Header(None)):
    check(authorization)
    return row(task_id)


def set_enabled(task_id, enabled, authorization):
    check(authorization)
    c = db()
    with c:
        c.execute("UPDATE tasks SET enabled = ? WHERE id = ?", (enabled, task_id))
    return row(task_id)


@app.post("/manager/tasks/{task_id}/pause")
def pause(task_id: str, authorization: str = Header(None)):
    return set_enabled(task_id, 0, authorization)


@app.post("/manager/tasks/{task_id}/resume")
def resume(task_id: str, authorization: str = Header(None)):
    return set_enabled(task_id, 1, authorization)
