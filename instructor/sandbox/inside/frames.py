"""What crosses a pipe between the sandbox and the grader: frames (a 4-byte length, then
bytes), messages (a JSON header frame, then a payload frame) and plain data as JSON. The
grader's side imports this module, and nothing else of the package."""
import base64
import json
import math
import os
import select
import struct
import time

HEADER_LIMIT = 1 << 20  # bytes of a frame's header
PAYLOAD_LIMIT = 16 << 20  # bytes of a part's result
OUTPUT_KEEP = 4000  # bytes of a part's output kept for the report
SOURCE_LIMIT = 1 << 20  # bytes of gan.py


class FrameError(Exception):
    """A pipe carried something that is not a well-formed frame."""


def write_frame(fd, data, *more):
    """One frame: the length, then `data` and `more` (pieces of one payload, written as they
    are: a large payload is never copied to be framed)."""
    pieces = [struct.pack(">I", len(data) + sum(len(m) for m in more)), data, *more]
    for piece in pieces:
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view):]


def send(fd, header, payload=b"", *more):
    """A message: its header (a JSON object) as one frame, then its payload (payload and more,
    one after the other) as another."""
    write_frame(fd, json.dumps(header).encode())
    write_frame(fd, payload, *more)


class FrameReader:
    """Reads messages (see send) from a pipe, never more than a limit of bytes a frame."""

    def __init__(self, fd):
        self.fd, self.buffer, self.eof, self.header = fd, bytearray(), False, None

    def feed(self):
        """Read what the pipe holds (after select says it is readable); False at its end."""
        chunk = os.read(self.fd, 1 << 20)
        self.buffer.extend(chunk)
        self.eof = not chunk
        return bool(chunk)

    def _frame(self, limit):
        if len(self.buffer) < 4:
            return None
        (n,) = struct.unpack(">I", self.buffer[:4])
        if n > limit:
            raise FrameError(f"a frame of {n:,} bytes, more than the {limit:,} allowed")
        if len(self.buffer) < 4 + n:
            return None
        data = bytes(memoryview(self.buffer)[4:4 + n])
        self.buffer = self.buffer[4 + n:]  # a new buffer: a large frame's memory goes with the old one
        return data

    def ready(self, payload_limit=None):
        """The next message if all of it has arrived, else None."""
        if self.header is None:
            header = self._frame(HEADER_LIMIT)
            if header is None:
                return None
            try:
                self.header = json.loads(header)
            except ValueError as err:
                raise FrameError(f"a header that is not JSON ({err})") from None
            if not isinstance(self.header, dict):
                raise FrameError("a header that is not a JSON object")
        payload = self._frame(payload_limit or PAYLOAD_LIMIT)
        if payload is None:
            return None
        header, self.header = self.header, None
        return header, payload

    def message(self, deadline=None, payload_limit=None):
        """The next message, waiting for it until `deadline` (time.monotonic());
        None at a clean end of the pipe."""
        while True:
            message = self.ready(payload_limit)
            if message is not None:
                return message
            if self.eof:
                if self.buffer or self.header is not None:
                    raise FrameError("the pipe ended inside a message")
                return None
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and (wait <= 0 or not select.select([self.fd], [], [], wait)[0]):
                raise TimeoutError
            self.feed()


def encode(value):
    """Numpy arrays become {"__ndarray__": base64 of little-endian float64 bytes, "shape": [...]}
    (float32 arrays: of float32 bytes, with "dtype": "<f4", half the size); infinities and NaN
    become {"__float__": "inf" | "-inf" | "nan"}."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        single = value.dtype == np.float32
        data = np.ascontiguousarray(value, dtype="<f4" if single else "<f8")
        encoded = {"__ndarray__": base64.b64encode(data.tobytes()).decode(), "shape": list(value.shape)}
        return dict(encoded, dtype="<f4") if single else encoded
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": "nan" if value != value else ("inf" if value > 0 else "-inf")}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)[:200]
