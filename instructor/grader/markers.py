"""The markers that cut gan.py and the notebook into what students write and what they get.

gan.py's student blocks lie between CODE_START and CODE_END lines; the notebook's
reference answers between SOLUTION_START and SOLUTION_END (in Markdown cells) or
their Python-comment twins (in code cells). The release empties them
(course/release.py); the grader empties gan.py's for the training smoke test's
provided loop (guard.py), so no reference solution ever enters the sandbox.
"""

CODE_START = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
CODE_END = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
SOLUTION_START = "<!-- *****START OF SOLUTION (DO NOT DELETE/MODIFY THIS LINE)***** -->"
SOLUTION_END = "<!-- *****END OF SOLUTION (DO NOT DELETE/MODIFY THIS LINE)***** -->"
# The same in a code cell, as Python comments.
CODE_SOLUTION_START = "# *****START OF SOLUTION (DO NOT DELETE/MODIFY THIS LINE)*****"
CODE_SOLUTION_END = "# *****END OF SOLUTION (DO NOT DELETE/MODIFY THIS LINE)*****"
SOLUTION_MARKERS = [(SOLUTION_START, SOLUTION_END), (CODE_SOLUTION_START, CODE_SOLUTION_END)]


def split_blocks(text, start, end):
    """[(outside, inside), ...]: the text cut at each start/end marker line pair.

    The markers stay in the `outside` pieces; the last piece has inside=None.
    """
    pieces, outside, inside, in_block = [], [], [], False
    for line in text.splitlines(keepends=True):
        if line.strip() == start:
            if in_block:
                raise ValueError(f"nested {start!r}")
            outside.append(line)
            in_block = True
        elif line.strip() == end:
            if not in_block:
                raise ValueError(f"{end!r} without a start marker")
            pieces.append(("".join(outside), "".join(inside)))
            outside, inside, in_block = [line], [], False
        elif in_block:
            inside.append(line)
        else:
            outside.append(line)
    if in_block:
        raise ValueError(f"{start!r} without an end marker")
    pieces.append(("".join(outside), None))
    return pieces


def strip_code(source):
    """gan.py with every student block emptied."""
    return "".join(outside for outside, _ in split_blocks(source, CODE_START, CODE_END))
