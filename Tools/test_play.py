#!/usr/bin/env python3
"""End-to-end test of `jam play`: it records the shared transport's loops in time, as heard then.

A real server with the demo session (shortened to a one-bar loop at 240 bpm, so a loop lasts one
second); `jam play -o` waits for the transport, which a second client (the stdlib Python client of
Tools/jamclient.py) starts; the WAV must hold exactly the loops asked for, not silent, not clipped.

Usage: python3 Tools/test_play.py PATH/TO/jam
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from array import array

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jamclient  # noqa: E402
import jamtest  # noqa: E402


def main():
    jam = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="jam-play-")
    server, port, cert = jamtest.start_server(jam, work, demo=True)
    check = jamtest.Checks()
    try:
        ops = ('[{"type":"session.set","field":"tempo","value":240,"old":96},'
               '{"type":"session.set","field":"loopBars","value":1,"old":4}]\n')
        subprocess.run([jam, "send", "demo", "--port", str(port), "--ca", cert], input=ops, text=True, check=True,
                       capture_output=True)
        out = os.path.join(work, "out.wav")
        player = subprocess.Popen([jam, "play", "demo", "--port", str(port), "--ca", cert, "-o", out, "--loops", "2"],
                                  stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        starter = jamclient.JamClient()
        starter.connect("127.0.0.1", port, cafile=cert)
        starter.join("demo", "starter")
        starter.send("TRANSPORT", {"action": "play"})
        _, err = player.communicate(timeout=30)
        starter.close()
        check("jam play exits 0 after its loops", player.returncode == 0, err)
        with wave.open(out) as w:
            frames = w.getnframes()
            samples = array("h", w.readframes(frames))
            check("16-bit stereo at 44.1 kHz", (w.getsampwidth(), w.getnchannels(), w.getframerate()) == (2, 2, 44100))
        check("two one-second loops", abs(frames - 2 * 44100) <= 2, frames)
        peak = max(abs(s) for s in samples)
        rms = (sum(s * s for s in samples) / len(samples)) ** 0.5
        check("not silent", rms > 100, rms)
        check("not clipped", peak < 32767, peak)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    check.finish()


if __name__ == "__main__":
    main()
