"""One running sandbox: its process, its log and its end of the pipes (exchange.py).

A Sandbox starts from a Command and waits for the sandbox program's first message,
which says it is ready and how it isolates parts; stop() kills it and everything it
started, and removes its folder.
"""
import os
import subprocess

from instructor.sandbox import limits
from instructor.sandbox.inside.frames import FrameError


class SandboxError(Exception):
    """The sandbox could not be started or stopped answering."""


class Sandbox:
    def __init__(self, command, exchange, enter):
        """Start `command`, whose spec names `exchange`'s sandbox ends; `enter` runs in its
        first process before the program does (the cgroup and CPUs). Raises SandboxError
        if it does not say it is ready in time."""
        self.command, self.exchange = command, exchange
        requests, results = exchange.sandbox_ends()
        self.log = open(command.log_path, "wb")
        self.proc = None
        try:
            self.proc = subprocess.Popen(command.argv, cwd=command.cwd, env=command.env, pass_fds=(requests, results),
                                         stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                         start_new_session=True, preexec_fn=enter)
            self.hello, why = self.exchange.hello(limits.START_TIMEOUT), "it stopped while starting"
        except (TimeoutError, FrameError) as err:
            self.hello, why = None, f"it did not start ({type(err).__name__})"
        except BaseException:
            self.stop()
            raise
        if self.hello is None or not self.hello.get("ready"):
            why = f"{why}: {command.log_tail()}"
            self.stop()
            raise SandboxError(why)

    def stop(self):
        if self.proc is not None:
            for stop in (self.proc.kill, lambda: os.killpg(self.proc.pid, 9)):  # bwrap's --die-with-parent takes
                try:                                                               # the sandbox with it; the reduced
                    stop()                                                         # mode's is a process group
                except OSError:
                    pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        self.exchange.close()
        self.log.close()
        self.command.remove()
