"""Messages between the judge and the subject: length-prefixed pickles over a socket.

What the subject sends is read with `PlainUnpickler`, which rebuilds only builtin containers,
numbers, strings and numpy arrays and scalars: a subject cannot make the judge construct an
object of its choosing (a forged result, a callable), whatever bytes it writes.
"""

from __future__ import annotations

import io
import pickle
import select
import socket
import struct
import time
from typing import Any

HEADER = struct.Struct("!Q")
MESSAGE_LIMIT_BYTES = 512 * 1024 * 1024
"""A message larger than this is refused, so a runaway subject cannot exhaust the judge's memory."""

PLAIN_GLOBALS = frozenset(
    (module, name)
    for prefix in ("numpy._core", "numpy.core")
    for module, name in (
        (f"{prefix}.numeric", "_frombuffer"),
        (f"{prefix}.multiarray", "_reconstruct"),
        (f"{prefix}.multiarray", "scalar"),
    )
) | {("numpy", "ndarray"), ("numpy", "dtype")}
"""The only globals a subject's message may name: what numpy arrays and scalars pickle into."""


class WireError(Exception):
    """The other side closed the connection, sent too much, or sent something unreadable."""


class TimedOut(WireError):
    """No answer before the deadline."""


class PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in PLAIN_GLOBALS:
            return super().find_class(module, name)
        raise WireError(f"the subject sent an object of type {module}.{name}, which is not plain data")


def send(sock: socket.socket, value: Any) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(HEADER.pack(len(payload)) + payload)


def _read_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                raise TimedOut("no answer before the deadline")
        try:
            chunk = sock.recv(min(size - len(chunks), 1 << 20))
        except (ConnectionError, OSError) as error:
            raise WireError(f"the connection broke ({error})") from None
        if not chunk:
            raise WireError("the other side closed the connection")
        chunks += chunk
    return bytes(chunks)


def receive(sock: socket.socket, deadline: float | None = None, plain: bool = True) -> Any:
    """The next message; with `plain`, only plain data is accepted (what the judge reads from a subject)."""
    (size,) = HEADER.unpack(_read_exactly(sock, HEADER.size, deadline))
    if size > MESSAGE_LIMIT_BYTES:
        raise WireError(f"the subject sent a message of {size} bytes, over the limit")
    payload = _read_exactly(sock, size, deadline)
    try:
        if plain:
            return PlainUnpickler(io.BytesIO(payload)).load()
        return pickle.loads(payload)
    except WireError:
        raise
    except Exception as error:
        raise WireError(f"the subject sent something unreadable ({type(error).__name__})") from None
