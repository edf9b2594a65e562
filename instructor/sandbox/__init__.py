"""Where students' code runs: the sandbox, and the limits it keeps.

  pool.py      a Pool: one sandbox after another, sealed or reduced; runs a submission
  process.py   one running sandbox process, started and stopped
  command.py   the command line and folder a sandbox starts from
  bwrap.py     the bubblewrap command line of the sealed mode
  reduced.py   the reduced mode's uids, file protection and clean-up
  paths.py     what a sandbox may see of the machine
  exchange.py  the request/answer exchange over the grader's two pipes
  memory.py    a sandbox's budget in a cgroup of its own, and what it used
  cgroup.py    cgroups v1 and v2, and nothing else
  limits.py    the limits a submission runs under (each default, once) and the container's
  inside/      the program inside the sandbox, a package copied whole into it (it runs as
               `python -I`); its frames.py is all the grader's side imports of it

Nothing here imports the grader: this package runs code and returns plain bytes.
"""
