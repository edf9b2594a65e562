"""The tables in figures/: each command replaces its own part of a file and keeps the others'."""

from instructor.measure import figures


def test_a_section_and_the_top_are_replaced_without_touching_the_rest(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "FOLDER", str(tmp_path))
    figures.write_top("t.md", "top one\n\n| a |")
    figures.write_section("t.md", "Through run_autograder", "rows one")
    figures.write_section("t.md", "Another", "rows two")
    figures.write_top("t.md", "top two")
    figures.write_section("t.md", "Through run_autograder", "rows three")
    assert (tmp_path / "t.md").read_text() == "top two\n\n## Another\n\nrows two\n\n## Through run_autograder\n\nrows three\n"
