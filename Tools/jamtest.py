"""What the end-to-end judges in Tools/ share: a real `jam serve` on a free loopback port."""
import os
import socket
import subprocess
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
