"""A second writer in its own process, driven over stdin/stdout by the listing-cache scenario.

Usage: ``python _writer_process.py '<S3Backend kwargs as JSON>'``. Each stdin line is a JSON
command ``{"op": "write"|"delete", "path": ..., "data": ...}``; each reply is one JSON line
``{"ok": true}`` or ``{"ok": false, "error": "<Type>: <message>"}``. The process owns its own
``S3Backend`` (own client, own caches): exactly what "another process writes to the bucket"
means for a reader.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    from remote_store import RetryPolicy, Store
    from remote_store.backends import S3Backend

    options = json.loads(sys.argv[1])
    store = Store(S3Backend(retry=RetryPolicy.disabled(), **options))
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        try:
            if command["op"] == "write":
                store.write(command["path"], command["data"].encode(), overwrite=True)
            elif command["op"] == "delete":
                store.delete(command["path"])
            elif command["op"] == "quit":
                break
            else:
                raise ValueError(f"unknown op {command['op']!r}")
            reply = {"ok": True}
        except Exception as exc:
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
