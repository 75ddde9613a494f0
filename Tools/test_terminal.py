#!/usr/bin/env python3
"""End-to-end test of `jam join` as people use it: a real server and two terminal clients in tmux.

One pane types keys (a track, notes); the other must show them. Then both leave, one by Ctrl-C and one
by SIGTERM, and each pane's shell checks that its terminal is back in cooked mode with echo.

Usage: python3 Tools/test_terminal.py PATH/TO/jam
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jamtest  # noqa: E402

TIMEOUT = 20.0


def tmux(*args, check=True):
    return subprocess.run(["tmux", *args], check=check, capture_output=True, text=True).stdout


def screen(pane):
    return tmux("capture-pane", "-p", "-t", pane)


def wait_for(what, predicate):
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def main():
    jam = os.path.abspath(sys.argv[1])
    if not shutil.which("tmux"):
        sys.exit("tmux is not installed")
    work = tempfile.mkdtemp(prefix="jam-terminal-")
    server, port, cert = jamtest.start_server(jam, work)
    socket_name = f"jamtest{os.getpid()}"
    os.environ["TMUX"] = ""
    check = jamtest.Checks()

    def tm(*args, check=True):
        return tmux("-L", socket_name, *args, check=check)

    def pane_screen(pane):
        return tm("capture-pane", "-p", "-t", pane)

    try:
        for name in ("ana", "ben"):
            stty = os.path.join(work, f"{name}.stty")
            command = (f"{jam} join jam --port {port} --ca {cert} --name {name} 2>{work}/{name}.err; "
                       f"echo $? > {work}/{name}.exit; stty -a > {stty}; sleep 60")
            tm("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "sh", "-c", command)
        for name in ("ana", "ben"):
            wait_for(f"{name}'s screen", lambda: "connected" in pane_screen(name) and "ben" in pane_screen(name))
        check("both panes show the session and both members",
              all("ana" in pane_screen(p) and "ben" in pane_screen(p) for p in ("ana", "ben")))

        # Ana makes a track and plays three notes: C4 at 1.1.1, then two steps right and up.
        tm("send-keys", "-t", "ana", ":track add Keys 4", "Enter")
        wait_for("the track in ben's pane", lambda: "Keys" in pane_screen("ben"))
        tm("send-keys", "-t", "ana", "Space")
        tm("send-keys", "-t", "ana", "l", "l", "l", "l", "k", "k", "Space")
        tm("send-keys", "-t", "ana", "l", "l", "l", "l", "k", "k", "Space")
        wait_for("three notes in ben's pane", lambda: sum(line.count("█") for line in pane_screen("ben").splitlines()) >= 3)
        ben = pane_screen("ben").splitlines()
        # A piano-roll row: "│C4    │···┆…", its label right after the first bar (a note may cover the second).
        rows = {line.split("│", 1)[1].split()[0]: line.split("│", 1)[1] for line in ben if line.count("│") >= 2}
        check("ben sees ana's notes on C4, D4 and E4",
              all(label in rows and "█" in rows[label] for label in ("C4", "D4", "E4")), "\n".join(ben))
        check("ben sees no note where ana played none", "C#4" in rows and "█" not in rows["C#4"])

        # Ben opens the help overlay, which lists the keys, and closes it.
        tm("send-keys", "-t", "ben", "?")
        wait_for("the help overlay", lambda: "undo" in pane_screen("ben").lower() and "Space" in pane_screen("ben"))
        tm("send-keys", "-t", "ben", "Escape")

        # Ben chats; ana's status line shows it.
        tm("send-keys", "-t", "ben", ":chat nice groove", "Enter")
        wait_for("the chat on ana's status line", lambda: "nice groove" in pane_screen("ana"))
        check("ana sees ben's chat", "nice groove" in pane_screen("ana"))

        # Ana undoes her last note: it disappears from ben's pane.
        tm("send-keys", "-t", "ana", "u")
        notes = lambda: sum(line.count("█") for line in pane_screen("ben").splitlines())
        wait_for("the undo in ben's pane", lambda: notes() == 2)
        check("an undo reaches the other pane, and only the last note goes", notes() == 2 and "█" in rows["C4"])

        # Ana leaves with Ctrl-C, ben is stopped with SIGTERM: both terminals come back whole.
        tm("send-keys", "-t", "ana", "C-c")
        wait_for("ana's exit", lambda: os.path.exists(os.path.join(work, "ana.stty")))
        # The client itself, not the shell around it (whose command line holds the same words).
        pids = subprocess.run(["pgrep", "-f", f"^{jam} join jam --port {port} .*--name ben"], capture_output=True, text=True).stdout.split()
        check("ben's client is running", len(pids) >= 1)
        for pid in pids:
            os.kill(int(pid), signal.SIGTERM)
        wait_for("ben's exit", lambda: os.path.exists(os.path.join(work, "ben.stty")))
        for name in ("ana", "ben"):
            stty = open(os.path.join(work, f"{name}.stty")).read().split()
            check(f"{name}'s terminal is restored (icanon, echo)", "icanon" in stty and "echo" in stty, " ".join(stty))
        code = open(os.path.join(work, "ana.exit")).read().strip()
        check("Ctrl-C leaves with exit status 0", code == "0", code)
    except AssertionError as error:
        check("the session in two terminals", False, error)
        for pane in ("ana", "ben"):
            print(f"--- {pane} ---")
            print(tm("capture-pane", "-p", "-t", pane, check=False) or "(gone)")
            err = os.path.join(work, f"{pane}.err")
            if os.path.exists(err):
                print(open(err).read())
    finally:
        tm("kill-server", check=False)
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    check.finish()


if __name__ == "__main__":
    main()
