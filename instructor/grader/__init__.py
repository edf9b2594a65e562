"""What grades a submission: everything the Gradescope zip ships and runs per submission
(with instructor/sandbox/, where the code runs), and the batch over a class.

  grade.py    `grade`: one gan.py -> a report (and results.json); its exit status
  batch.py    `batch`: a folder of submissions -> one report each and a gradebook
  summary.py  the class at a glance beside the gradebook, and `batch --compare`
  run.py      the submission run in the sandbox, what came back read strictly
  schema.py   what the sandbox may send back, checked byte by byte
  score.py    points per part, and the rule that gives them
  report.py   the report: one model, and the sentences it says
  render.py   the report as text, Markdown and Gradescope's results.json
  guard.py    the grader's own files, snapshotted and restored
  markers.py  the solution markers of gan.py and the notebook

Nothing here imports torch or the student's code.
"""
