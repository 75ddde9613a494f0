#!/usr/bin/env python3
"""End-to-end test of the log tools against a running server: export --session, import --session,
analyze --session. A song exported from one live session and imported into another comes back with
the same notes, tempo and meter.

Usage: python3 Tools/test_live_session.py PATH/TO/jam
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jamtest  # noqa: E402


def main():
    jam = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="jam-live-")
    server, port, cert = jamtest.start_server(jam, work, demo=True)
    check = jamtest.Checks()


    def run(*args):
        return subprocess.run([jam, *args, "--port", str(port), "--ca", cert], capture_output=True, text=True, timeout=60)

    def notes(document):
        return sorted((n["tick"], n["duration"], n["pitch"], n["velocity"]) for t in document["tracks"] for n in t["notes"])

    try:
        song, original, copy = (os.path.join(work, f) for f in ("demo.mid", "demo.json", "copy.json"))
        check("export --session writes MIDI", run("export", "--session", "demo", "-o", song).returncode == 0)
        check("export --session writes JSON", run("export", "--session", "demo", "-o", original).returncode == 0)
        imported = run("import", song, "--session", "copy")
        check("import --session loads the song into a running session", imported.returncode == 0, imported.stderr)
        check("export of the copy", run("export", "--session", "copy", "-o", copy).returncode == 0)
        a, b = json.load(open(original)), json.load(open(copy))
        check("the same notes came back", notes(a) == notes(b) and len(notes(a)) > 0, (len(notes(a)), len(notes(b))))
        check("the same tempo and meter", (a["tempo"], a["meter"]) == (b["tempo"], b["meter"]))
        analysis = run("analyze", "--session", "copy", "--json")
        check("analyze --session reads the live session", analysis.returncode == 0 and "key" in json.loads(analysis.stdout),
              analysis.stderr)
        refused = run("replay", "--session", "demo", "--rev", "1")
        check("--rev with --session is refused with a clear message",
              refused.returncode != 0 and "log file" in refused.stderr, refused.stderr)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    check.finish()


if __name__ == "__main__":
    main()
