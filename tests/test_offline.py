"""Nothing reaches the internet at run time: loading the model and parsing open no
connection outside the machine (telemetry off, no model downloads)."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GUARDED_RUN = textwrap.dedent(
    """
    import asyncio, ipaddress, socket, sys
    attempts = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def is_local(host):
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return host in ("localhost",)

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not host.startswith("/") and not is_local(host):
            attempts.append(host)
            raise OSError("network disabled by test")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host and not is_local(str(host)):
            attempts.append(str(host))
            raise socket.gaierror("network disabled by test")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.getaddrinfo = getaddrinfo

    from rasa.core.agent import Agent
    agent = Agent.load(sys.argv[1])
    for text in ["xin chào", "le phi lam ho chieu bao nhieu", "hồ sơ 000.00.20.H37-251114-0123"]:
        asyncio.run(agent.parse_message(text))
    print("ATTEMPTS", attempts)
    sys.exit(1 if attempts else 0)
    """
)


def test_loading_and_parsing_make_no_outside_connection(model_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false",
               HF_HUB_OFFLINE="1")
    result = subprocess.run(
        [sys.executable, "-c", GUARDED_RUN, str(model_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
