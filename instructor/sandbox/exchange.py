"""The grader's end of the two pipes it shares with a sandbox: requests go in, answers
come back, framed and size-limited by inside/frames.py's FrameReader.

The grader asks one request per lane (a list of parts); the sandbox answers with
one frame per phase (the import, then each part: how its process ended, and the
bytes it produced) and a last frame saying the request is done. Anything else it
sends (an answer to a question not asked, a phase not asked for, a frame too
large, silence past the deadline) ends the exchange with a sentence saying why.
"""
import os
import time

from instructor.sandbox.inside.frames import SOURCE_LIMIT, FrameError, FrameReader, send


class Exchange:
    def __init__(self):
        self.req_r, self.req_w = os.pipe()
        self.res_r, self.res_w = os.pipe()
        self.count = 0  # requests sent so far: each one's id
        self.reader = None

    def sandbox_ends(self):
        """The descriptors the sandbox keeps: it reads requests from one, answers on the other."""
        return self.req_r, self.res_w

    def hello(self, timeout):
        """Once the sandbox has started: the grader lets go of the sandbox's ends and waits
        for its first message (it says it is ready, and how it isolates parts). Raises
        TimeoutError or FrameError; None if it stopped first."""
        os.close(self.req_r)
        os.close(self.res_w)
        self.req_r = self.res_w = None  # closed: never closed twice (batch's threads reuse descriptor numbers)
        self.reader = FrameReader(self.res_r)
        message = self.reader.message(time.monotonic() + timeout)
        return None if message is None else message[0]

    def grade(self, source, lanes, request, seconds, weights=None):
        """Ask for every lane of one submission (`weights`: None, or a function that gives the
        trained generator's file, whose bytes go to the lane that scores it and are let go of
        once sent), and read the answers until each request is done or `seconds` pass.
        Returns (records, payloads, problem): how each phase's process ended, the bytes it
        produced, and None or a sentence on why the exchange stopped early."""
        asked = {}  # request id -> the phases it may report
        records, payloads, problem = {}, {}, None
        deadline = time.monotonic() + seconds
        try:
            for lane in lanes:
                self.count += 1
                asked[self.count] = {"import", *lane}
                extra = weights() if weights and "trained" in lane else b""
                send(self.req_w, dict(request, id=self.count, groups=lane, weights=len(extra)), source[:SOURCE_LIMIT],
                     extra)
                del extra  # the sandbox holds them now: 27 MB less here while the parts run (Gradescope's 768 MB)
            while asked:
                message = self.reader.message(deadline)
                if message is None:
                    problem = "the grading sandbox stopped unexpectedly"
                    break
                header, payload = message
                rid = header.get("id")
                if rid not in asked:
                    problem = "the grading sandbox answered a question it was not asked"
                    break
                if "done" in header:
                    del asked[rid]
                    continue
                phase = header.get("phase")
                if phase not in asked[rid]:
                    problem = "the grading sandbox sent a result it was not asked for"
                    break
                asked[rid].discard(phase)
                if phase == "import" and "import" in records and payloads["import"] == b"{}":
                    pass  # each lane imports gan.py; a failure, if any lane had one, is what counts
                elif phase != "import" or "import" not in records or payload != b"{}":
                    records[phase], payloads[phase] = header.get("record"), payload
        except TimeoutError:
            problem = f"the submission did not finish within {seconds:.0f} s and was stopped"
        except (FrameError, OSError) as err:
            problem = f"the grading sandbox failed ({type(err).__name__}: {err})"
        return records, payloads, problem

    def close(self):
        for name in ("req_r", "req_w", "res_r", "res_w"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                try:
                    os.close(fd)
                except OSError:
                    pass
