#!/usr/bin/env python3
"""A dependency-free client of the Jam wire protocol (Protocol/PROTOCOL.md, version 1).

Written from Protocol/PROTOCOL.md and Protocol/DOCUMENT.md alone, with nothing but the Python 3
standard library (ssl, socket, json), to show the protocol is usable from another language.

As a module::

    from jamclient import JamClient, JamError

    c = JamClient()
    c.connect("127.0.0.1", 7890, cafile="jam-data/tls/cert.pem")   # or fingerprint="ab12…"
    welcome = c.join("tuesday", "Ana")
    ack = c.submit([{"type": "session.set", "field": "tempo", "old": 120, "value": 96}])
    msg = c.receive(timeout=5)          # ("OP", {...}), ("CHAT", {...}), … or None on timeout
    c.close()                           # BYE

As a command::

    python3 Tools/jamclient.py --port 7890 --cafile jam-data/tls/cert.pem tuesday --name Ana \\
        --send '[{"type":"session.set","field":"tempo","old":120,"value":96}]' --tail 5

The client answers the server's PING with PONG by itself. It keeps at most one OP in flight
(submit waits for its ACK) and does not transform: an operation is sent with `base` = the last
revision this connection saw (or the `base` you give) and the server transforms it.

A JamClient is not thread-safe; use one per thread.
"""

import argparse
import hashlib
import ipaddress
import json
import socket
import ssl
import sys
import time
from collections import deque

PROTOCOL_VERSION = 1

# PROTOCOL.md §6: the longest server → client line a client must accept.
DEFAULT_SERVER_LINE_BYTES = 8 * 1024 * 1024
DEFAULT_LINE_BYTES = 256 * 1024

SERVER_VERBS = ("HELLO", "WELCOME", "ACK", "OP", "CURSOR", "CHAT", "PEER", "PING", "PONG", "BYE", "ERR")

__all__ = ["JamClient", "JamError", "JamClosed", "encode_line", "decode_line", "main"]


class JamError(Exception):
    """An ERR from the server, or a client-side failure.

    `code` is the server's stable code (PROTOCOL.md §5, DOCUMENT.md §2) when the server refused
    something; `payload` is then the whole ERR payload (`seq`, `component`, `verb`, `close`).
    Failures found on this side use codes of their own, never sent by a server:
    `fingerprint_mismatch`, `timeout`, `closed`, `protocol_error`.
    """

    def __init__(self, code, message, payload=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.payload = dict(payload or {})

    @property
    def component(self):
        return self.payload.get("component")

    @property
    def seq(self):
        return self.payload.get("seq")


class JamClosed(JamError):
    """The connection ended (EOF, reset, or after the server's BYE / closing ERR)."""

    def __init__(self, message="the server closed the connection", payload=None):
        super().__init__("closed", message, payload)


# ---------------------------------------------------------------------------------------------
# Line framing (PROTOCOL.md §1)


def encode_line(verb, payload=None):
    """`VERB SP JSON LF` as UTF-8 bytes; a bare `VERB LF` when payload is None."""
    if not verb or not verb.isupper() or " " in verb:
        raise ValueError("bad verb %r" % (verb,))
    if payload is None:
        return (verb + "\n").encode("utf-8")
    if not isinstance(payload, dict):
        raise TypeError("a payload is a JSON object (dict), not %s" % type(payload).__name__)
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (verb + " " + text + "\n").encode("utf-8")


def decode_line(line):
    """Parse one line (bytes or str, without or with its LF) into (verb, payload dict).

    Returns None for an empty line. CR before the LF, and spaces/tabs around the payload, are
    dropped. Raises JamError("protocol_error") for anything that is not `VERB [JSON-OBJECT]`.
    """
    if isinstance(line, (bytes, bytearray)):
        try:
            line = bytes(line).decode("utf-8")
        except UnicodeDecodeError as e:
            raise JamError("protocol_error", "server line is not UTF-8: %s" % e)
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    line = line.rstrip(" \t")
    if not line.strip(" \t"):
        return None
    verb, rest = line, ""
    for i, ch in enumerate(line):
        if ch in " \t":
            verb, rest = line[:i], line[i:].strip(" \t")
            break
    if not verb:
        raise JamError("protocol_error", "line does not start with a verb: %r" % line[:80])
    if not rest:
        return verb, {}
    try:
        payload = json.loads(rest)
    except ValueError as e:
        raise JamError("protocol_error", "bad JSON after %s: %s" % (verb, e))
    if not isinstance(payload, dict):
        raise JamError("protocol_error", "payload of %s is not a JSON object" % verb)
    return verb, payload


def _normalize_fingerprint(fp):
    hexdigits = "".join(ch for ch in fp.strip().lower() if ch not in ": ")
    if len(hexdigits) != 64 or any(ch not in "0123456789abcdef" for ch in hexdigits):
        raise ValueError("a SHA-256 fingerprint is 64 hex digits (colons allowed), got %r" % fp)
    return hexdigits


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# The client


class JamClient:
    """One connection to a Jam server.

    Attributes kept up to date: `hello` (HELLO payload), `limits`, `welcome` (WELCOME payload),
    `client_id`, `resume` (the resume secret), `session`, `document` (from WELCOME; the client
    does not apply operations to it), `revision` (the highest revision seen on this connection:
    WELCOME, ACK or OP), `seq` (the last OP sequence number used), `pings_answered`.
    """

    def __init__(self, timeout=10.0, trace=None):
        """`timeout`: default seconds for every wait (connect, reads, ACKs).
        `trace`: optional callable(direction, verb, payload) called for every line, in wire order;
        direction is "<" for a line received and ">" for a line sent."""
        self.timeout = timeout
        self.trace = trace
        self._sock = None
        self._buf = bytearray()
        self._queue = deque()
        self._closed = False
        self.hello = None
        self.limits = {}
        self.welcome = None
        self.client_id = None
        self.resume = None
        self.session = None
        self.document = None
        self.roster = []
        self.revision = None
        self.seq = 0
        self.pings_answered = 0
        self.peer_certificate = None  # DER bytes of the server's certificate
        self.fingerprint = None  # its SHA-256, lowercase hex

    # -- connection -----------------------------------------------------------------------

    def connect(self, host, port, cafile=None, fingerprint=None, server_hostname=None, timeout=None):
        """Open TLS (1.2 or later) to host:port and read HELLO; returns the HELLO payload.

        Pin the server one of two ways:
        - `cafile`: a PEM certificate (e.g. the server's generated jam-data/tls/cert.pem) that
          must sign the server's certificate, with the host name checked: `server_hostname`,
          by default "localhost" for a loopback address (the name a generated certificate
          carries) and `host` otherwise;
        - `fingerprint`: the SHA-256 of the server's DER certificate (hex, colons allowed),
          compared after the handshake; chain and host name are not checked.
        With neither, the system's trusted CAs and `host` are used.
        Raises JamError("fingerprint_mismatch"), ssl.SSLError (verification failed),
        OSError (no connection), or JamError with the server's code (e.g. server_full).
        """
        if self._sock is not None:
            raise RuntimeError("already connected")
        timeout = self.timeout if timeout is None else timeout
        if fingerprint is not None:
            want = _normalize_fingerprint(fingerprint)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            name = server_hostname or (None if _is_ip(host) else host)
        else:
            want = None
            ctx = ssl.create_default_context(cafile=cafile)
            if server_hostname is None:
                server_hostname = "localhost" if (cafile is not None and _is_loopback(host)) else host
            name = server_hostname
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        raw = socket.create_connection((host, port), timeout=timeout)
        try:
            sock = ctx.wrap_socket(raw, server_hostname=name)
        except BaseException:
            raw.close()
            raise
        der = sock.getpeercert(binary_form=True)
        self.peer_certificate = der
        self.fingerprint = hashlib.sha256(der).hexdigest() if der else None
        if want is not None and self.fingerprint != want:
            sock.close()
            raise JamError("fingerprint_mismatch",
                           "server certificate SHA-256 is %s, expected %s" % (self.fingerprint, want))
        self._sock = sock
        self._closed = False
        verb, payload = self._next(time.monotonic() + timeout)
        if verb == "ERR":
            self._shutdown()
            raise JamError(payload.get("code", "?"), payload.get("message", ""), payload)
        if verb != "HELLO":
            self._shutdown()
            raise JamError("protocol_error", "expected HELLO, got %s" % verb)
        if payload.get("protocol") != PROTOCOL_VERSION:
            self._shutdown()
            raise JamError("protocol_error", "server speaks protocol %r, this client %d"
                           % (payload.get("protocol"), PROTOCOL_VERSION))
        self.hello = payload
        self.limits = payload.get("limits") or {}
        return payload

    def join(self, session, name, role="player", token=None, kind=None, rejoin=None, timeout=None):
        """Send JOIN and wait for WELCOME; returns the WELCOME payload.

        `rejoin`: {"client", "resume", "revision", "pending"?} to take back an earlier client id
        after a dropped connection (PROTOCOL.md §3); `rejoin_info()` of the old client gives it.
        Raises JamError with the server's code (name_taken, bad_session_name, auth_failed, …).
        """
        payload = {"session": session, "name": name}
        if role is not None and role != "player":
            payload["role"] = role
        if kind is not None:
            payload["kind"] = kind
        if token is not None:
            payload["token"] = token
        if rejoin is not None:
            payload["rejoin"] = rejoin
        self._send("JOIN", payload)
        verb, p = self._wait(lambda v, p: v == "WELCOME" or (v == "ERR" and p.get("verb") == "JOIN"), timeout)
        if verb == "ERR":
            raise JamError(p.get("code", "?"), p.get("message", ""), p)
        self.welcome = p
        self.client_id = p.get("client")
        self.resume = p.get("resume")
        self.session = p.get("session")
        self.roster = p.get("roster", [])
        self.document = p.get("document")
        self.revision = p.get("revision")
        for entry in p.get("committed") or []:
            self.seq = max(self.seq, entry.get("seq", 0))
        if rejoin is not None:
            self.seq = max([self.seq] + list(rejoin.get("pending") or []))
        return p

    def rejoin_info(self, pending=()):
        """The `rejoin` object to take this client id back on a new connection."""
        if self.client_id is None:
            raise RuntimeError("not joined")
        return {"client": self.client_id, "resume": self.resume, "revision": self.revision,
                "pending": list(pending)}

    # -- operations -------------------------------------------------------------------------

    def submit(self, op, base=None, seq=None, timeout=None):
        """Send `OP` (next seq, `base` default: the last revision seen) and wait for its ACK.

        Returns the ACK payload {"seq", "revision"}. Messages that arrive meanwhile (the OP
        broadcasts of others, chat, …) are kept for receive(), in order. Raises JamError with
        the server's code (stale_value, unknown_track, forbidden, …; `.component`, `.seq`) if
        the operation is refused, JamError("timeout") if no answer comes in time (the operation
        may still commit: resubmit it with the same `seq` and the server acknowledges it once).
        """
        if not isinstance(op, list):
            raise TypeError("an operation is a list of components")
        if seq is None:
            seq = self.seq + 1
        self.seq = max(self.seq, seq)
        if base is None:
            if self.revision is None:
                raise RuntimeError("join first")
            base = self.revision
        self._send("OP", {"base": base, "seq": seq, "op": op})
        verb, p = self._wait(lambda v, p: (v == "ACK" and p.get("seq") == seq)
                             or (v == "ERR" and p.get("verb") == "OP"), timeout)
        if verb == "ERR":
            raise JamError(p.get("code", "?"), p.get("message", ""), p)
        return p

    def receive(self, timeout=None):
        """The next message as (verb, payload), or None if none comes within `timeout` seconds
        (default: the client's timeout). Server PINGs are answered and not returned.
        Raises JamClosed when the connection has ended and nothing is left."""
        if self._queue:
            return self._queue.popleft()
        timeout = self.timeout if timeout is None else timeout
        try:
            return self._next(time.monotonic() + timeout)
        except _Timeout:
            return None

    def pending(self):
        """How many received messages wait for receive()."""
        return len(self._queue)

    def ping(self, timeout=None):
        """Send PING and wait for PONG; returns the round trip in seconds."""
        start = time.monotonic()
        self._send("PING")
        self._wait(lambda v, p: v == "PONG", timeout)
        return time.monotonic() - start

    def chat(self, text):
        """Send a CHAT line (the server echoes it to every member, this one included)."""
        self._send("CHAT", {"text": text})

    def cursor(self, tick, track=None, pitch=None):
        """Send this member's CURSOR (the server coalesces)."""
        payload = {"tick": tick}
        if track is not None:
            payload["track"] = track
        if pitch is not None:
            payload["pitch"] = pitch
        self._send("CURSOR", payload)

    def send(self, verb, payload=None):
        """Send any line (for experiments and tests)."""
        self._send(verb, payload)

    def close(self, reason=None, timeout=None):
        """Send BYE, wait (briefly) for the server's BYE, close. Returns the server's BYE payload
        or None. Safe to call more than once."""
        if self._sock is None:
            return None
        result = None
        try:
            self._send("BYE", {"reason": reason} if reason else None)
            deadline = time.monotonic() + (min(self.timeout, 5.0) if timeout is None else timeout)
            while True:
                verb, p = self._next(deadline)
                if verb == "BYE":
                    result = p
                    break
        except (JamError, _Timeout, OSError):
            pass
        self._shutdown()
        return result

    def abort(self):
        """Drop the connection without BYE (as a network failure would)."""
        self._shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- plumbing -------------------------------------------------------------------------------

    def _send(self, verb, payload=None):
        if self._sock is None or self._closed:
            raise JamClosed("not connected")
        data = encode_line(verb, payload)
        limit = self.limits.get("lineBytes", DEFAULT_LINE_BYTES)
        if len(data) - 1 > limit:
            raise ValueError("line of %d bytes exceeds the server's lineBytes %d" % (len(data) - 1, limit))
        if self.trace:
            self.trace(">", verb, payload if payload is not None else {})
        try:
            self._sock.settimeout(self.timeout)
            self._sock.sendall(data)
        except OSError as e:
            self._closed = True
            raise JamClosed("send failed: %s" % e)

    def _wait(self, match, timeout):
        """Read until a message satisfies match(verb, payload); keep the others for receive().
        Queued messages are not searched: only new ones can answer a request just sent."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                verb, p = self._next(deadline)
            except _Timeout:
                raise JamError("timeout", "no answer from the server in time")
            if match(verb, p):
                return verb, p
            if verb == "ERR" and p.get("close"):
                raise JamError(p.get("code", "?"), p.get("message", ""), p)
            if verb == "BYE":
                self._queue.append((verb, p))
                raise JamClosed("the server said BYE (%s)" % p.get("reason", ""), p)
            self._queue.append((verb, p))

    def _next(self, deadline):
        """The next message from the wire (answering PINGs), tracking revisions."""
        while True:
            line = self._read_line(deadline)
            msg = decode_line(line)
            if msg is None:
                continue
            verb, p = msg
            if self.trace:
                self.trace("<", verb, p)
            if verb == "PING":
                self.pings_answered += 1
                self._send("PONG")
                continue
            if verb in ("ACK", "OP"):
                r = p.get("revision")
                if isinstance(r, int) and (self.revision is None or r > self.revision):
                    self.revision = r
            if verb == "BYE" or (verb == "ERR" and p.get("close")):
                # The server closes after this line (PROTOCOL.md §5): close our end at once, so
                # that it is not left waiting for us.
                self._shutdown()
            return verb, p

    def _read_line(self, deadline):
        limit = self.limits.get("serverLineBytes", DEFAULT_SERVER_LINE_BYTES) + 2
        while True:
            i = self._buf.find(b"\n")
            if i >= 0:
                line = bytes(self._buf[:i])
                del self._buf[:i + 1]
                return line
            if len(self._buf) > limit:
                self._shutdown()
                raise JamError("protocol_error", "server line longer than %d bytes" % limit)
            if self._sock is None:
                raise JamClosed()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout()
            try:
                self._sock.settimeout(remaining)
                data = self._sock.recv(65536)
            except (socket.timeout, TimeoutError, ssl.SSLWantReadError, BlockingIOError):
                raise _Timeout()
            except (ssl.SSLError, OSError) as e:
                self._shutdown()
                raise JamClosed("connection lost: %s" % e)
            if not data:
                self._shutdown()
                raise JamClosed()
            self._buf += data

    def _shutdown(self):
        self._closed = True
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass


class _Timeout(Exception):
    pass


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# Command line

EPILOG = """\
Prints every line the server sends (HELLO, WELCOME, ACK, OP, CHAT, …) on stdout, one per line,
in the wire format; server PINGs are answered and not printed. With -v the lines sent are
printed on stderr, prefixed with "> ".

exit status: 0 success; 1 the server refused something (its ERR code is printed on stderr,
"jamclient: ERR <code>: <message>"); 2 bad usage; 3 no connection, TLS or fingerprint failure,
or a timeout.

examples:
  %(prog)s --port 7890 --cafile jam-data/tls/cert.pem demo --name me --tail 10
  %(prog)s --port 7890 --fingerprint 80a1…06b1 demo --name me \\
      --send '[{"type":"session.set","field":"tempo","old":120,"value":100}]'
"""


def _print_line(direction, verb, payload):
    text = encode_line(verb, payload or None).decode("utf-8").rstrip("\n")
    if direction == "<":
        if verb != "PING":
            print(text, flush=True)
    else:
        print("> " + text, file=sys.stderr, flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="jamclient.py",
        description="Join a Jam session over TLS, optionally submit operations and chat, and print "
                    "what the server sends.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("session", metavar="SESSION", help="session name ([a-z0-9][a-z0-9_-]{0,63}); created by the first JOIN")
    ap.add_argument("--name", required=True, help="display name in the session")
    ap.add_argument("--host", default="127.0.0.1", help="server address (default: 127.0.0.1)")
    ap.add_argument("--port", type=int, default=7890, help="server port (default: 7890)")
    pin = ap.add_mutually_exclusive_group()
    pin.add_argument("--cafile", metavar="PEM", help="pin the server's certificate (e.g. jam-data/tls/cert.pem); the host name is checked")
    pin.add_argument("--fingerprint", metavar="HEX", help="pin the SHA-256 fingerprint of the server's certificate, as `jam serve` prints it")
    ap.add_argument("--server-name", metavar="NAME", help="host name to check against the certificate (default: localhost for a loopback --host, else --host)")
    ap.add_argument("--role", choices=("player", "listener"), default="player", help="default: player")
    ap.add_argument("--kind", choices=("human", "ai"), help="who is behind the connection (server default: human)")
    ap.add_argument("--token", help="the server's JOIN token, if it wants one")
    ap.add_argument("--send", metavar="JSON", action="append", default=[],
                    help="an operation (JSON array of components) to submit after joining; repeatable, each waits for its ACK")
    ap.add_argument("--base", type=int, help="base revision of the first --send (default: the revision of WELCOME)")
    ap.add_argument("--chat", metavar="TEXT", action="append", default=[], help="a chat message to send after the operations; repeatable")
    ap.add_argument("--tail", type=int, default=0, metavar="N",
                    help="then print the next N messages (-1: until the connection ends or --wait passes without one)")
    ap.add_argument("--wait", type=float, default=10.0, metavar="SECONDS",
                    help="with --tail: stop after this long without a message (default: 10)")
    ap.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="for connecting and each answer (default: 10)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the lines sent on stderr")
    args = ap.parse_args(argv)

    ops = []
    for text in args.send:
        try:
            op = json.loads(text)
        except ValueError as e:
            ap.error("--send %r is not JSON: %s" % (text, e))
        if isinstance(op, dict):
            op = [op]  # a single component
        if not isinstance(op, list):
            ap.error("--send takes a JSON array of components (or one component object)")
        ops.append(op)

    def trace(direction, verb, payload):
        if direction == "<" or args.verbose:
            _print_line(direction, verb, payload)

    client = JamClient(timeout=args.timeout, trace=trace)
    try:
        try:
            client.connect(args.host, args.port, cafile=args.cafile, fingerprint=args.fingerprint,
                           server_hostname=args.server_name)
        except JamError as e:
            if e.code in ("fingerprint_mismatch", "timeout", "closed", "protocol_error"):
                print("jamclient: %s" % e, file=sys.stderr)
                return 3
            raise
        except (ssl.SSLError, ssl.CertificateError, OSError) as e:
            print("jamclient: cannot connect to %s:%d: %s" % (args.host, args.port, e), file=sys.stderr)
            return 3
        client.join(args.session, args.name, role=args.role, token=args.token, kind=args.kind)
        for i, op in enumerate(ops):
            client.submit(op, base=args.base if i == 0 else None)
        for text in args.chat:
            client.chat(text)
        count = 0
        while args.tail < 0 or count < args.tail:
            msg = client.receive(timeout=args.wait)  # printed by trace on arrival
            if msg is None:
                break
            count += 1
            if msg[0] == "BYE" or (msg[0] == "ERR" and msg[1].get("close")):
                break
        client.close()
        return 0
    except JamClosed as e:
        print("jamclient: %s" % e.message, file=sys.stderr)
        return 3
    except JamError as e:
        if e.code == "timeout":
            print("jamclient: %s" % e, file=sys.stderr)
            client.abort()
            return 3
        print("jamclient: ERR %s: %s" % (e.code, e.message), file=sys.stderr)
        client.close()
        return 1
    except KeyboardInterrupt:
        client.close()
        return 130


if __name__ == "__main__":
    sys.exit(main())
