"""The autograder's engine: what each part of gan.py must do, and how a submission is checked.

Two sides, kept apart:

  produce/    BESIDE the student's code: the only code that calls it. Runs each part's
              functions on the answer file's inputs and returns raw values (numbers,
              arrays, strings), never a verdict.
  judge/      APART from it: compares those raw values with the answer file, one module per
              part. No torch, no student code; the grader runs it in its own process.
  hints/      what a failed check says of where the difference is (the judges' words).
  trained.py  the trained DCGAN's weights file, read, and its samples, scored (apart).

And what both sides share:

  course.py     the course table: parts, titles, POINTS, MANUAL, tolerances, epochs
  answers.py    reading an answer file
  measures.py   the relative errors the tolerances are written in
  imports.py    the rule for importing a student's gan.py, and its sentences
  precision.py  full float32 precision, and torch's global state given back, per check
  i18n.py       the language a student reads: `_()` over the catalogs of locale/ (course.LANGUAGE)

The entry points: notebook.py (the notebook's import_gan and run_part), submit.py (the
hand-in command, `python -m autograder.submit`; export.py turns the notebook into the PDF
it hands in). The pytest suite is in tests/, the grader in instructor/grader/.
"""
