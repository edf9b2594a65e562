"""What the instructor makes from this package, once per term: nothing here runs per submission.

  release.py           the student release (folder and zip): blocks emptied, answers removed
  gradescope.py        the Gradescope autograder zip: setup.sh, run_autograder, the grader
  answers.py           the public and the private answer files, regenerated from gan.py
  notebook.py          GANs-PyTorch.ipynb executed headless
  student-README.md    the README the release carries
"""
