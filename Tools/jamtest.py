"""What the end-to-end judges in Tools/ share: a real `jam serve` on a free loopback port."""
import os
import socket
import subprocess
import sys
import time


def free_port():
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(jam, work, demo=False):
    """Starts `jam serve` with its data in WORK/data; returns (process, port, certificate path) once the
    certificate exists and the port is open."""
    port = free_port()
    data = os.path.join(work, "data")
    cert = os.path.join(data, "tls", "cert.pem")
    args = [jam, "serve", "--port", str(port), "--data", data, "--log-level", "warning"] + (["--demo"] if demo else [])
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "w"))
    deadline = time.time() + 20
    while time.time() < deadline:
        if os.path.exists(cert):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return process, port, cert
            except OSError:
                pass
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"jam serve did not start on port {port} (see {work}/serve.log)")


class Checks:
    """Named checks of an end-to-end judge: each prints `ok` or `FAIL` (with the detail); `finish` prints
    the tally and exits 1 if any failed."""

    def __init__(self):
        self.failures = 0

    def __call__(self, name, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + str(detail)}")
        self.failures += 0 if ok else 1

    def finish(self):
        print("passed" if self.failures == 0 else f"{self.failures} failed")
        sys.exit(1 if self.failures else 0)
