"""Shared set-up of the site's tests (no tests here): the site built once per session, and
the three servers whose content negotiation is tested alike (``serve``, Apache with the
generated configuration, and the generated w3id.org ``.htaccess`` in front of a plain
static host), plus a headless Chromium driven over the DevTools protocol.

The site is written to a folder other users can read (Apache drops root and runs as
``www-data``), removed when the session ends. Apache and Chromium are Debian packages that
``.ci/install-debian-packages`` installs; where they are missing the tests that need them
fail under CI (``CI`` set) and are skipped, saying so, elsewhere.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coldwar_lod.site import build_site, make_server
from coldwar_lod.site.publish import SiteReport

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "tests" / "artefacts"
MODULES = Path("/usr/lib/apache2/modules")


def need(tool: str, found: bool) -> None:
    """Fail under CI, skip elsewhere, when a tool the test needs is not installed."""
    if found:
        return
    message = f"{tool} is not installed (run .ci/install-debian-packages as root)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class BuiltSite:
    folder: Path      # the site
    work: Path        # the readable scratch folder that holds it
    report: SiteReport


@functools.cache
def built_site() -> BuiltSite:
    """The site of the repository's data, built once per test session."""
    work = Path(tempfile.mkdtemp(prefix="coldwar-site-"))
    work.chmod(0o755)
    atexit.register(shutil.rmtree, work, True)
    folder = work / "site"
    report = build_site(folder, ROOT / "data", redirect_to="http://127.0.0.1:{port}/")
    assert report.conforms
    return BuiltSite(folder, work, report)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``coldwar-lod serve``'s server on a free port; yields its root URL."""
    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


APACHE_MODULES = ("mpm_event", "authz_core", "mime", "negotiation", "rewrite", "headers",
                  "asis", "dir", "alias")


@contextlib.contextmanager
def apache(site: BuiltSite) -> Iterator[tuple[str, str]]:
    """A real Apache on 127.0.0.1 serving the site with the generated configuration at
    ``/``, and the generated ``.htaccess`` at ``/w3id/coldwar-lod/`` redirecting to it.

    Yields the two root URLs.
    """
    binary = shutil.which("apache2") or "/usr/sbin/apache2"
    need("apache2", Path(binary).is_file() and (MODULES / "mod_asis.so").is_file())
    port = free_port()
    run = Path(tempfile.mkdtemp(prefix="apache-", dir=site.work))
    run.chmod(0o755)
    w3id = run / "w3id"
    w3id.mkdir()
    htaccess = (site.folder / "_deploy/w3id.htaccess").read_text()
    (w3id / ".htaccess").write_text(htaccess.replace("{port}", str(port)))
    w3id.chmod(0o755)
    lines = [f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in APACHE_MODULES]
    lines += [
        "ServerName 127.0.0.1", f"Listen 127.0.0.1:{port}", f"PidFile {run}/httpd.pid",
        f"ErrorLog {run}/error.log", "LogLevel warn", f"DefaultRuntimeDir {run}",
        f"Mutex file:{run} default", "TypesConfig /etc/mime.types",
        f"Define COLDWAR_LOD_SITE {site.folder}",
        f"Include {site.folder}/_deploy/apache.conf",
        f"Alias /w3id/coldwar-lod {w3id}",
        f"<Directory {w3id}>", "  AllowOverride All", "  Require all granted", "</Directory>",
    ]
    if os.geteuid() == 0:
        lines += ["User www-data", "Group www-data"]
    conf = run / "httpd.conf"
    conf.write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen([binary, "-f", str(conf), "-DFOREGROUND"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    root = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                log = (run / "error.log").read_text() if (run / "error.log").exists() else ""
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"Apache did not start: {out}{log}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(root + "index.html", timeout=1).close()
                break
            if time.monotonic() > deadline:
                pytest.fail("Apache did not answer within 15 s")
            time.sleep(0.05)
        yield root, root + "w3id/coldwar-lod/"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Chromium:
    """Debian's Chromium, headless, driven over the DevTools protocol on a pipe."""

    FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", "--window-size=1200,900", "about:blank")

    def __init__(self, profile: Path) -> None:
        binary = shutil.which("chromium")
        need("chromium", binary is not None)
        assert binary is not None
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # the protocol pipe is file descriptors 3 (commands) and 4 (answers) of the child

        def plumb() -> None:  # in the child: the pipe's ends become descriptors 3 and 4
            high = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(
            [binary, *self.FLAGS[:-1], f"--user-data-dir={profile}", self.FLAGS[-1]],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=plumb)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: bool = True, timeout: float = 30) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self._read()
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return dict(answer.get("result", {}))
            self.events.append(answer)
        raise TimeoutError(method)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return dict(json.loads(message))

    def open(self) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def visit(self, url: str) -> list[str]:
        """Load a page and wait for it; returns the console errors and exceptions it raised."""
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            self.events.append(self._read())
        self.send("Runtime.evaluate", {"expression": "1"})  # let late messages arrive
        errors = []
        for e in self.events:
            params = e.get("params", {})
            if e.get("method") == "Runtime.exceptionThrown":
                errors.append(json.dumps(params.get("exceptionDetails", {}))[:300])
            elif e.get("method") == "Runtime.consoleAPICalled" and params.get("type") in (
                    "error", "assert"):
                errors.append(json.dumps(params.get("args", []))[:300])
            elif e.get("method") == "Log.entryAdded" and params.get("entry", {}).get(
                    "level") == "error":
                errors.append(params["entry"].get("text", "") + " " +
                              params["entry"].get("url", ""))
        return errors

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True})
        return result["result"].get("value")

    def screenshot(self, path: Path, width: int = 1200) -> None:
        height = int(self.evaluate("Math.min(document.documentElement.scrollHeight, 2400)"))
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        shot = self.send("Page.captureScreenshot", {"format": "png"})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", session=False, timeout=5)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
