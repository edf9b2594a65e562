"""Sets of mistakes students make, written to measure the checks' messages on mistakes they
were not written for: cases.py (each case: the blocks of gan.py it replaces, the cause a TA
would name, where the idea came from), run.py (grades every case and writes the table of
first messages), and the table itself, with a verdict on each message."""
