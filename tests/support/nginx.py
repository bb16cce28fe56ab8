"""docs/nginx.conf run by Debian's nginx as an ordinary process (its own prefix, pid and temp folders, `daemon off`),
in front of one or more lehoi hosts: for tests and benches."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.live_server import ROOT, free_port

CONFIG = ROOT / "docs" / "nginx.conf"


def nginx_binary() -> str | None:
    """Debian's nginx (in /usr/sbin, often not on an ordinary user's PATH), or None."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def render(values: dict[str, str]) -> str:
    """The configuration with its ${…} filled, as envsubst would fill them; nginx's own $variables stay."""
    text = CONFIG.read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    unfilled = [line for line in text.splitlines() if "${" in line and not line.lstrip().startswith("#")]
    if unfilled:
        raise ValueError(f"placeholders of docs/nginx.conf left: {unfilled}")
    return text


class Nginx:
    def __init__(self, prefix: Path, upstreams: list[str], data_dir: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.prefix = prefix
        for folder in ("logs", "tmp"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
        config = render(
            {
                "NGINX_LISTEN": f"127.0.0.1:{self.port}",
                "NGINX_WORKERS": str(workers),
                "NGINX_UPSTREAM": upstreams[0],
                "LEHOI_DATA_DIR": str(data_dir),
            }
        )
        # more hosts: one `server` line each, as the configuration's comment says
        others = "".join(f"        server {u} max_fails=1 fail_timeout=5s;\n" for u in upstreams[1:])
        config = config.replace("        keepalive 32;\n", others + "        keepalive 32;\n", 1)
        self.config = prefix / "nginx.conf"
        self.config.write_text(config)
        # started by root, nginx's workers would become nobody, who may not read the test's private folders
        globals_ = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        self.process = subprocess.Popen(
            [nginx_binary() or "nginx", "-p", f"{prefix}/", "-c", str(self.config), "-g", globals_],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(100):
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode()}")
            try:
                httpx.get(self.url + "/bundles/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not answer")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
