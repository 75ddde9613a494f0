#!/usr/bin/env python3
"""End-to-end test of Tools/jamclient.py against a real `jam serve`: the protocol is usable from
another language. Standard library only; builds nothing.

    python3 Tools/test_jamclient.py [PATH-TO-jam]      (or JAM_BIN=…; default .build/debug/jam)

Starts `jam serve --port 0` on a temporary data directory, runs the cases below against it with
Python clients, stops it with SIGTERM and checks it exits 0. Prints `N passed, M failed` last and
exits non-zero if anything failed.
"""

import copy
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from jamclient import JamClient, JamError, decode_line  # noqa: E402

TIMEOUT = 5.0  # every wait on a socket or the server
CLIENT = os.path.join(HERE, "jamclient.py")


# ---------------------------------------------------------------------------------------------
# A replica of the document, for the few component types used here (DOCUMENT.md §1–2)


def _track(doc, tid):
    for t in doc["tracks"]:
        if t["id"] == tid:
            return t
    raise AssertionError("replica has no track %r" % tid)


def _note(track, nid):
    for n in track["notes"]:
        if n["id"] == nid:
            return n
    raise AssertionError("replica track %r has no note %r" % (track["id"], nid))


def apply(doc, op):
    doc = copy.deepcopy(doc)
    for c in op:
        t = c["type"]
        if t == "session.set":
            assert doc[c["field"]] == c["old"], (c, doc[c["field"]])
            doc[c["field"]] = c["value"]
        elif t == "track.add":
            doc["tracks"].insert(c["index"], copy.deepcopy(c["track"]))
        elif t == "track.set":
            tr = _track(doc, c["track"])
            assert tr[c["field"]] == c["old"], c
            tr[c["field"]] = c["value"]
        elif t == "note.add":
            _track(doc, c["track"])["notes"].append(copy.deepcopy(c["note"]))
        elif t == "note.set":
            n = _note(_track(doc, c["track"]), c["note"])
            assert n[c["field"]] == c["old"], c
            n[c["field"]] = c["value"]
        elif t == "note.remove":
            tr = _track(doc, c["track"])
            assert _note(tr, c["note"]["id"]) == c["note"], c
            tr["notes"] = [n for n in tr["notes"] if n["id"] != c["note"]["id"]]
        else:
            raise AssertionError("the test replica does not apply %s" % t)
    return doc


def _ints(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dict):
        return {k: _ints(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_ints(x) for x in v]
    return v


def canonical(doc):
    """DOCUMENT.md "Canonical form and hash"."""
    doc = _ints(copy.deepcopy(doc))
    for tr in doc["tracks"]:
        tr["notes"].sort(key=lambda n: (n["tick"], n["pitch"], n["id"].encode("utf-8")))
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def doc_hash(doc):
    return hashlib.sha256(canonical(doc).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# The server under test


class Server:
    def __init__(self, binary, data):
        self.binary, self.data = binary, data
        self.proc = None
        self.lines = []
        self._lines = queue.Queue()
        self.port = self.cert = self.fingerprint = None
        self.log = os.path.join(os.path.dirname(data), "server.stderr")

    def start(self):
        self._err = open(self.log, "w")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data", self.data],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._err, text=True)
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + 20
        while self.port is None or self.cert is None or self.fingerprint is None:
            line = self.next_line(deadline)
            if line is None:
                raise AssertionError("the server did not print its port, certificate and fingerprint; "
                                     "stdout so far: %r" % self.lines)
            m = re.match(r"^Jam \S+ listening on (.+):(\d+) \(TLS\)", line)
            if m:
                self.port = int(m.group(2))
            m = re.match(r"^TLS certificate: (.+?)(?: \(.*\))?$", line)
            if m:
                self.cert = m.group(1)
            m = re.search(r"fingerprint: ([0-9A-Fa-f:]+)\s*$", line)
            if m:
                self.fingerprint = m.group(1)

    def _pump(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def next_line(self, deadline):
        try:
            return self._lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if hasattr(self, "_err"):
            self._err.close()

    def stderr(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""


# ---------------------------------------------------------------------------------------------
# Helpers

S = None  # the Server
OPEN = []  # clients to close at the end


def client(name=None, session=None, role="player", **connect):
    c = JamClient(timeout=TIMEOUT)
    OPEN.append(c)
    if not connect:
        connect = {"cafile": S.cert}
    c.connect("127.0.0.1", S.port, **connect)
    if session is not None:
        c.join(session, name, role=role)
    return c


def expect(c, verb, match=None, timeout=TIMEOUT):
    """Receive until a `verb` message (satisfying match) arrives; return its payload."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        msg = c.receive(timeout=max(0.0, deadline - time.monotonic()))
        if msg is None:
            raise AssertionError("no %s within %.1f s; got %r" % (verb, timeout, seen))
        if msg[0] == verb and (match is None or match(msg[1])):
            return msg[1]
        seen.append(msg)


def quiet(c, seconds=0.3, ignore=("PEER", "CURSOR", "CHAT")):
    """Nothing but presence arrives within `seconds`; returns what did."""
    got = []
    deadline = time.monotonic() + seconds
    while True:
        msg = c.receive(timeout=max(0.0, deadline - time.monotonic()))
        if msg is None:
            return got
        assert msg[0] in ignore, "unexpected %r" % (msg,)
        got.append(msg)


def ops_from(c, count):
    """The next `count` OP broadcasts (presence skipped)."""
    return [expect(c, "OP") for _ in range(count)]


def raises(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except JamError as e:
        assert e.code == code, "expected %s, got %s" % (code, e)
        return e
    raise AssertionError("expected JamError %s, nothing raised" % code)


def track(tid, owner, name="Bass"):
    return {"id": tid, "name": name, "instrument": 33, "channel": 1, "volume": 100, "pan": 0,
            "mute": False, "solo": False, "owner": owner, "notes": []}


def note(nid, tick, pitch=38):
    return {"id": nid, "tick": tick, "duration": 480, "pitch": pitch, "velocity": 96}


# ---------------------------------------------------------------------------------------------
# Cases (run in order against one server)

STATE = {}


def test_hello_cafile():
    c = client()
    assert c.hello["protocol"] == 1, c.hello
    assert c.hello["auth"] == "none", c.hello
    assert isinstance(c.hello["server"], str) and c.hello["server"], c.hello
    assert c.limits.get("lineBytes") == 262144, c.limits
    assert c.fingerprint == S.fingerprint.replace(":", "").lower(), (c.fingerprint, S.fingerprint)
    assert c._sock.version() in ("TLSv1.2", "TLSv1.3"), c._sock.version()
    c.close()


def test_fresh_join():
    c = client("Ana", "fresh-one")
    w = c.welcome
    assert w["session"] == "fresh-one" and w["revision"] == 0, w
    print("     fresh document: %s; client id %s; HELLO.server %r" % (canonical(w["document"]), c.client_id, c.hello["server"]))
    assert "ops" not in w and isinstance(w["document"], dict), w
    assert w["document"]["ppq"] == 480 and w["document"]["tracks"] == [], w
    assert isinstance(w["resume"], str) and w["resume"], w
    assert [p["name"] for p in w["roster"]] == ["Ana"], w
    assert w["roster"][0] == {"client": c.client_id, "name": "Ana", "role": "player", "kind": "human"}, w
    # DOCUMENT.md's canonical form and hash, computed here, match the server's.
    assert w["hash"] == doc_hash(w["document"]), (w["hash"], canonical(w["document"]))
    raises("already_joined", c.join, "fresh-one", "Ana2")
    raises("name_taken", client().join, "fresh-one", "Ana")
    raises("bad_session_name", client().join, "Not A Name", "Bo")
    c.close()


def test_fingerprint_pinning():
    for fp in (S.fingerprint, S.fingerprint.upper(),
               ":".join(S.fingerprint[i:i + 2] for i in range(0, len(S.fingerprint), 2))):
        c = client(fingerprint=fp)
        assert c.hello["protocol"] == 1
        c.join("pinned", "Fp")
        c.close()
    wrong = ("0" if S.fingerprint[0] != "0" else "1") + S.fingerprint[1:]
    e = raises("fingerprint_mismatch", client, fingerprint=wrong)
    assert S.fingerprint.lower() in e.message, e.message
    # The pinned certificate checks the host name too.
    try:
        client(cafile=S.cert, server_hostname="not-localhost.example")
    except ssl.SSLCertVerificationError:
        pass
    else:
        raise AssertionError("a wrong host name passed certificate verification")


def test_ops_broadcast_and_replica():
    a = client("Ana", "band")
    b = client("Bo", "band")
    assert expect(a, "PEER") == {"event": "join", "client": b.client_id, "name": "Bo",
                                 "role": "player", "kind": "human"}
    doc = a.welcome["document"]
    assert b.welcome["hash"] == doc_hash(doc)
    t1 = a.client_id + ".t1"
    sent = [
        [{"type": "session.set", "field": "tempo", "old": doc["tempo"], "value": 96.5}],
        [{"type": "track.add", "index": 0, "track": track(t1, a.client_id)}],
        [{"type": "note.add", "track": t1, "note": note(a.client_id + ".n1", 0)},
         {"type": "note.add", "track": t1, "note": note(a.client_id + ".n2", 480, 41)}],
        [{"type": "track.set", "track": t1, "field": "volume", "old": 100, "value": 90},
         {"type": "session.set", "field": "loopBars", "old": doc["loopBars"], "value": 8}],
        [{"type": "note.set", "track": t1, "note": a.client_id + ".n2", "field": "pitch", "old": 41, "value": 43}],
        [{"type": "session.set", "field": "key", "old": doc["key"], "value": {"tonic": "D", "mode": "minor"}}],
    ]
    replica_a = doc
    for i, op in enumerate(sent):
        ack = a.submit(op)
        assert ack == {"seq": i + 1, "revision": i + 1}, ack
        replica_a = apply(replica_a, op)
    replica_b = b.welcome["document"]
    got = ops_from(b, len(sent))
    assert [m["revision"] for m in got] == list(range(1, len(sent) + 1)), got
    for m, op in zip(got, sent):
        assert m["author"] == a.client_id and m["op"] == op, (m, op)
        replica_b = apply(replica_b, m["op"])
    assert b.revision == len(sent)
    assert canonical(replica_a) == canonical(replica_b)
    # A fresh member gets the same document, and the server's hash is ours.
    c = client("Cy", "band")
    w = c.welcome
    assert w["revision"] == len(sent), w
    assert canonical(w["document"]) == canonical(replica_b), (canonical(w["document"]), canonical(replica_b))
    assert w["hash"] == doc_hash(replica_b), (w["hash"], canonical(replica_b))
    assert [p["client"] for p in w["roster"]] == [a.client_id, b.client_id, c.client_id], w["roster"]
    expect(a, "PEER", lambda p: p["client"] == c.client_id and p["event"] == "join")
    expect(b, "PEER", lambda p: p["client"] == c.client_id and p["event"] == "join")
    STATE.update(a=a, b=b, c=c, replica=replica_b, t1=t1)


def test_concurrent_ops_transformed():
    a, b, c, replica = STATE["a"], STATE["b"], STATE["c"], STATE["replica"]
    r = a.revision
    assert b.revision == r and c.revision == r
    title = replica["title"]
    # Both edit the title on revision r; A commits first and wins (DOCUMENT.md §4: the set rule).
    ack = a.submit([{"type": "session.set", "field": "title", "old": title, "value": "Ana's"}], base=r)
    assert ack["revision"] == r + 1, ack
    n3 = note(b.client_id + ".n3", 960, 45)
    ack = b.submit([{"type": "session.set", "field": "title", "old": title, "value": "Bo's"},
                    {"type": "note.add", "track": STATE["t1"], "note": n3}], base=r)
    assert ack["revision"] == r + 2, ack
    m1 = expect(b, "OP")  # arrived while B waited for its ACK
    assert m1["revision"] == r + 1 and m1["author"] == a.client_id, m1
    m2 = expect(a, "OP")
    # B's title set lost to A's and became nothing; its note.add commuted.
    assert m2 == {"revision": r + 2, "author": b.client_id,
                  "op": [{"type": "note.add", "track": STATE["t1"], "note": n3}]}, m2
    got = ops_from(c, 2)
    assert [m["revision"] for m in got] == [r + 1, r + 2], got
    for m in got:
        replica = apply(replica, m["op"])
    assert replica["title"] == "Ana's"
    d = client("Dee", "band")
    assert d.welcome["hash"] == doc_hash(replica), (d.welcome["hash"], canonical(replica))
    d.close()
    for x in (a, b, c):
        expect(x, "PEER", lambda p: p["name"] == "Dee" and p["event"] == "leave")
    STATE["replica"] = replica


def test_refusals():
    a, b, replica = STATE["a"], STATE["b"], STATE["replica"]
    r = a.revision
    e = raises("stale_value", a.submit,
               [{"type": "session.set", "field": "tempo", "old": 999, "value": 100}])
    assert e.component == 0 and e.seq == a.seq and e.payload.get("verb") == "OP", e.payload
    # Atomic: the valid first component did not apply either; the error names component 1.
    e = raises("unknown_track", a.submit,
               [{"type": "session.set", "field": "tempo", "old": replica["tempo"], "value": 100},
                {"type": "note.add", "track": "nope", "note": note("x.n1", 0)}])
    assert e.component == 1, e.payload
    raises("future_revision", a.submit, [], base=r + 100)
    raises("malformed", a.submit, [{"type": "no.such.thing"}])
    # A refused operation takes no revision: the next one is r + 1, and B sees only that one.
    op = [{"type": "session.set", "field": "tempo", "old": replica["tempo"], "value": 100}]
    ack = a.submit(op)
    assert ack["revision"] == r + 1, ack
    m = expect(b, "OP")
    assert m["revision"] == r + 1 and m["op"] == op, m
    replica = apply(replica, op)
    expect(STATE["c"], "OP", lambda p: p["revision"] == r + 1)
    # Exactly once: the same seq again is acknowledged with its revision and not applied again.
    again = a.submit([{"type": "session.set", "field": "title", "old": "whatever", "value": "x"}], seq=a.seq)
    assert again == ack, (again, ack)
    raises("bad_sequence", a.submit, [], seq=1)
    quiet(b)
    # A listener may not edit.
    lis = client("Lis", "band", role="listener")
    raises("forbidden", lis.submit, [])
    lis.close()
    STATE["replica"] = replica


def test_chat_cursor_peer():
    a, b = STATE["a"], STATE["b"]
    a.chat("try it in D minor ✓")
    want = {"client": a.client_id, "text": "try it in D minor ✓"}
    assert expect(a, "CHAT") == want
    assert expect(b, "CHAT") == want
    a.cursor(960, track=STATE["t1"], pitch=62)
    assert expect(b, "CURSOR") == {"client": a.client_id, "tick": 960, "track": STATE["t1"], "pitch": 62}
    a.cursor(0)
    assert expect(b, "CURSOR", lambda p: p["tick"] == 0) == {"client": a.client_id, "tick": 0}
    e = client("Eve", "band")
    for x in (a, b):
        assert expect(x, "PEER", lambda p: p["client"] == e.client_id) == {
            "event": "join", "client": e.client_id, "name": "Eve", "role": "player", "kind": "human"}
    assert e.close() == {"reason": "bye"}
    for x in (a, b):
        p = expect(x, "PEER", lambda p: p["client"] == e.client_id and p["event"] == "leave")
        assert p["name"] == "Eve", p


def test_ping_pong():
    c = client()
    rtt = c.ping()  # allowed before JOIN
    assert 0 <= rtt < TIMEOUT
    c.join("pings", "P")
    assert c.ping() < TIMEOUT
    c.send("PING", {"ignored": [1, 2]})  # a payload given to PING is ignored
    expect(c, "PONG")
    c.close()


def test_errors_on_bad_lines():
    c2 = client()
    c2.send("CHAT", {"text": "hi"})
    assert expect(c2, "ERR")["code"] == "not_joined"
    c2.send("DANCE", {})
    p = expect(c2, "ERR")
    assert p["code"] == "unknown_verb" and p.get("verb") == "DANCE", p
    c2.send("INVITE", {"role": "bass"})
    p = expect(c2, "ERR")
    assert p["code"] == "missing_field" and p.get("verb") == "INVITE", p
    c2._sock.sendall(b"JOIN {\"session\":\"lines\",\"name\":\"L\"\r\n")  # malformed JSON
    assert expect(c2, "ERR")["code"] == "malformed_json"
    c2._sock.sendall(b"\n  \r\n")  # empty lines are ignored
    c2.join("lines", "L")
    c2.close()


def test_rejoin():
    a, b, replica = STATE["a"], STATE["b"], STATE["replica"]
    info = b.rejoin_info()
    b.abort()  # the connection drops, without BYE
    op = [{"type": "session.set", "field": "loopBars", "old": replica["loopBars"], "value": 16}]
    ack = a.submit(op)
    replica = apply(replica, op)
    bad = client()
    raises("unknown_client", bad.join, "band", "Bo", rejoin=dict(info, resume="0" * 32))
    b2 = client()
    w = b2.join("band", "Bo", rejoin=info)
    assert w["client"] == info["client"] and w["resume"] == info["resume"], w
    assert w["revision"] == ack["revision"], w
    assert "document" not in w and w["ops"] == [{"revision": ack["revision"], "author": a.client_id, "op": op}], w
    assert w["hash"] == doc_hash(replica), (w["hash"], canonical(replica))
    # Rejoining while the old connection is still up replaces it.
    b3 = client()
    w3 = b3.join("band", "Bo", rejoin=b2.rejoin_info())
    assert w3["client"] == info["client"] and w3["ops"] == [], w3
    bye = expect(b2, "BYE")
    assert bye == {"reason": "replaced"}, bye
    STATE["b"] = b3
    STATE["replica"] = replica


def test_cli():
    r = subprocess.run([sys.executable, CLIENT, "--help"], capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 0 and "--fingerprint" in r.stdout and "--send" in r.stdout, r
    replica = STATE["replica"]
    base = [sys.executable, CLIENT, "--host", "127.0.0.1", "--port", str(S.port), "--cafile", S.cert, "band",
            "--timeout", str(TIMEOUT)]
    op = [{"type": "session.set", "field": "tempo", "old": replica["tempo"], "value": 111}]
    r = subprocess.run(base + ["--name", "Cli", "--send", json.dumps(op), "--chat", "from the CLI", "--tail", "1",
                               "--wait", "3"],
                       capture_output=True, text=True, timeout=3 * TIMEOUT)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    lines = [decode_line(line) for line in r.stdout.splitlines()]
    verbs = [m[0] for m in lines]
    assert verbs[:3] == ["HELLO", "WELCOME", "ACK"] and "CHAT" in verbs and verbs[-1] == "BYE", r.stdout
    ack = lines[2][1]
    m = expect(STATE["a"], "OP", lambda p: p["revision"] == ack["revision"])
    assert m["op"] == op, m
    replica = apply(replica, op)
    # A rejection: non-zero exit, the ERR code on stderr.
    r = subprocess.run(base + ["--name", "Cli", "--send", json.dumps(op)],
                       capture_output=True, text=True, timeout=3 * TIMEOUT)
    assert r.returncode == 1 and "ERR stale_value" in r.stderr, (r.returncode, r.stdout, r.stderr)
    # A wrong pin: no connection.
    wrong = ("0" if S.fingerprint[0] != "0" else "1") + S.fingerprint[1:]
    r = subprocess.run([sys.executable, CLIENT, "--port", str(S.port), "--fingerprint", wrong, "band", "--name", "X"],
                       capture_output=True, text=True, timeout=3 * TIMEOUT)
    assert r.returncode == 3 and "fingerprint_mismatch" in r.stderr, (r.returncode, r.stderr)
    r = subprocess.run([sys.executable, CLIENT, "--port", str(S.port), "--fingerprint", S.fingerprint, "band",
                        "--name", "Fp", "--wait", "1"], capture_output=True, text=True, timeout=3 * TIMEOUT)
    assert r.returncode == 0 and "WELCOME " in r.stdout, (r.returncode, r.stderr)
    STATE["replica"] = replica


def test_answers_server_ping():
    """The server's PING (after pingSeconds of silence, 45 s by default: too long to wait for
    here) is answered with PONG and not surfaced. A stand-in server on the real server's
    certificate sends it at once, between CRLF and empty lines."""
    key = os.path.join(os.path.dirname(S.cert), "key.pem")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(S.cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)
    port = listener.getsockname()[1]
    heard = []
    errors = []

    def serve():
        try:
            conn, _ = listener.accept()
            conn = ctx.wrap_socket(conn, server_side=True)
            conn.settimeout(TIMEOUT)
            f = conn.makefile("rwb")
            f.write(b'HELLO {"auth":"none","protocol":1,"server":"fake/1"}\r\n\n')
            f.flush()
            heard.append(f.readline())
            f.write(b'WELCOME {"client":"c1","document":{},"hash":"00","resume":"r","revision":0,'
                    b'"roster":[],"session":"s"}\n  \nPING\r\n')
            f.flush()
            heard.append(f.readline())
            f.write(b'CHAT {"client":"c9","text":"after the ping"} \t\r\n')
            f.flush()
            heard.append(f.readline())
            f.write(b'BYE {"reason":"bye"}\n')
            f.flush()
            conn.close()
        except Exception as e:  # reported by the main thread
            errors.append(e)

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    try:
        c = JamClient(timeout=TIMEOUT)
        OPEN.append(c)
        c.connect("127.0.0.1", port, cafile=S.cert)
        c.join("s", "me")
        assert c.receive(TIMEOUT) == ("CHAT", {"client": "c9", "text": "after the ping"})
        assert c.pings_answered == 1
        assert c.close() == {"reason": "bye"}
        th.join(TIMEOUT)
        assert not errors, errors
        assert heard == [b'JOIN {"name":"me","session":"s"}\n', b"PONG\n", b"BYE\n"], heard
    finally:
        listener.close()


def test_sigterm_shutdown():
    c = client("Last", "band")
    S.proc.send_signal(signal.SIGTERM)
    bye = expect(c, "BYE")
    t0 = time.monotonic()
    for other in OPEN:  # every member still connected is told, and lets go
        if other is not c and other._sock is not None:
            assert expect(other, "BYE") == bye
    try:
        code = S.proc.wait(10)
    except subprocess.TimeoutExpired:
        raise AssertionError("the server did not exit within 10 s of SIGTERM")
    assert code == 0, code
    print("     server exited %.2f s after the members' BYE" % (time.monotonic() - t0))
    deadline = time.monotonic() + 2
    while not any(line.startswith("Jam server stopped") for line in S.lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(line.startswith("Jam server stopped") for line in S.lines), S.lines
    # PROTOCOL.md §2.1: BYE reason is one of "bye", "shutdown", "replaced".
    assert bye == {"reason": "shutdown"}, "BYE on shutdown: %r, PROTOCOL.md says {\"reason\": \"shutdown\"}" % (bye,)


TESTS = [test_hello_cafile, test_fresh_join, test_fingerprint_pinning, test_ops_broadcast_and_replica,
         test_concurrent_ops_transformed, test_refusals, test_chat_cursor_peer, test_ping_pong,
         test_errors_on_bad_lines, test_rejoin, test_cli, test_answers_server_ping, test_sigterm_shutdown]


def main():
    global S
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("JAM_BIN") or os.path.join(ROOT, ".build/debug/jam")
    if not os.access(binary, os.X_OK):
        print("no jam binary at %s: build it with `swift build --product jam`, or pass its path "
              "(argument or JAM_BIN)" % binary, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="jamclient-test-")
    passed = failed = 0
    started = time.monotonic()
    try:
        S = Server(binary, os.path.join(tmp, "data"))
        try:
            S.start()
        except Exception:
            traceback.print_exc()
            print("server stderr:\n" + S.stderr(), file=sys.stderr)
            print("0 passed, %d failed" % len(TESTS))
            return 1
        print("jam serve on port %d, certificate %s" % (S.port, S.cert))
        for test in TESTS:
            t0 = time.monotonic()
            try:
                test()
            except Exception:
                failed += 1
                print("FAIL %s (%.2f s)" % (test.__name__, time.monotonic() - t0))
                traceback.print_exc(file=sys.stdout)
            else:
                passed += 1
                print("ok   %s (%.2f s)" % (test.__name__, time.monotonic() - t0))
        if failed:
            print("server stderr (tail):\n" + S.stderr()[-4000:])
    finally:
        for c in OPEN:
            c.abort()
        if S is not None:
            S.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print("total %.1f s" % (time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
