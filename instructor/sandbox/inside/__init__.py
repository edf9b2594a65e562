"""The program inside the grading sandbox: runs students' gan.py, one part at a time.

The grader (instructor/sandbox/pool.py) starts this package as the only program of a
bubblewrap sandbox that holds the Python environment, this file, the producing
half of the checks and the check inputs, all read-only: no answer file, no
grader folder, no other submission, nothing writable. It imports torch once and
then serves one submission at a time, read from its request pipe:

  zygote: this process; it never runs student code
  └─ submission: as root, first an unprivileged uid; then its own user, PID,
     mount, IPC, network and UTS namespaces
     └─ supervisor, PID 1 of the submission: fresh tmpfs on /tmp, /dev/shm and
        /submission (gan.py, read-only), then no capabilities at all; loads the
        libraries gan.py's top level imports, once (Supervisor.preload)
        └─ part (the import, then each part): resource limits, import gan.py,
           autograder.produce.produce(), the plain data written to a pipe. When it
           ends, every other process of the submission is killed.

Results climb a chain of pipes that student code cannot reach: part ->
supervisor -> zygote -> grader, as frames (a 4-byte length, then bytes). The
grader checks every byte against a strict schema (instructor/grader/schema.py) before
it judges anything. Without bubblewrap (the reduced mode) the same code runs
with no namespaces: each part in its own session, behind Landlock walls where
the kernel has them (confine), the supervisor a subreaper that kills whatever a
part leaves behind.

Forking after torch is imported saves its start-up (about two seconds) for each
submission and each part. CUDA is never touched here, so each part can
initialise it itself.

The package is copied whole into the sandbox and imports nothing of the grader: only
itself, the producers (autograder/) and the scorer (quality/), copied beside it.

  __main__.py    the entry point: `python -I -B code/inside/__main__.py SPEC`
  frames.py      what crosses a pipe (shared with the grader: its only import from here)
  zygote.py      the long-lived process: torch, the producers and the inputs, loaded once
  supervisor.py  one submission: its parts one by one, and the clean-up after each
  part.py        one part of a submission: the only process that runs student code
  kernel.py      the kernel calls Python's os module lacks: namespaces, mounts, capabilities
  seccomp.py     the filter that refuses new namespaces to students' code
  landlock.py    the reduced mode's walls
"""
