"""A pretend internet for address-policy tests: names resolve to what a test says, and a
connection to the "public" address lands on the loopback test server. Nothing ever leaves
127.0.0.1: a connection to any other address fails here, and is recorded, so a test can show
it was never even attempted.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpcore2
import pytest

PUBLIC = "93.184.216.34"  # stands for a public web server; routed to the loopback server


@dataclass
class Internet:
    dns: dict[str, list[list[str]]] = field(default_factory=dict)  # name -> answers, in turn
    lookups: list[str] = field(default_factory=list)
    connects: list[str] = field(default_factory=list)  # what the HTTP stack connected to

    def name(self, host: str, *answers: list[str]) -> None:
        """`host` resolves to answers[0], then answers[1], ... (the last one repeats)."""
        self.dns[host] = list(answers)

    def answer(self, host: str) -> list[str]:
        self.lookups.append(host)
        answers = self.dns[host]
        return answers.pop(0) if len(answers) > 1 else answers[0]


def _infos(addresses: Iterable[str], port: Any) -> list[Any]:
    infos: list[Any] = []
    for address in addresses:
        if ipaddress.ip_address(address).version == 4:
            infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        else:
            infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
    return infos


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[Internet]:
    net = Internet()
    real_lookup = socket.getaddrinfo
    real_connect = httpcore2.SyncBackend.connect_tcp

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host in net.dns:
            return _infos(net.answer(host), port)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real_lookup(host, port, *args, **kwargs)

    def connect_tcp(
        self: httpcore2.SyncBackend, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore2.NetworkStream:
        net.connects.append(host)
        routed = host == PUBLIC or host in net.dns  # (a name: a stack that skipped the check)
        if routed or host == "127.0.0.1":
            return real_connect(self, "127.0.0.1", port, *args, **kwargs)
        raise httpcore2.ConnectError(f"{host} is outside this test's loopback network")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(httpcore2.SyncBackend, "connect_tcp", connect_tcp)
    yield net
