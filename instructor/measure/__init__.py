"""Measuring the package: each command writes its table to figures/ (figures.py).

  benchmark.py          training speed: the course's setup against ours, as ratios
  quality_run.py        IS/FID of the three GANs trained with the reference solution
  classifier.py         the MNIST classifier behind the IS/FID scores (quality/)
  grading_speed.py      `grade` on one submission and `batch` on many, timed
  budget.py             grading inside cgroups of given memory sizes and CPU quota
  gradescope_budget.py  the zip's run_autograder in a cgroup of Gradescope's size
  contention.py         attacks on shared memory, processes and CPU beside a reference
  gpu_report.py         every GPU check at once, on a GPU machine
  figures.py            writing a table, or one section, of a figures/ file
"""
