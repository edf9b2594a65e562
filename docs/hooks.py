"""MkDocs hooks: what the guide shows comes from the files that hold it.

- the figures of figures/ (PNG) are served from where the commands write them, not copied
  into docs/;
- `<!-- points -->` becomes the table of points per part, from POINTS and MANUAL of
  autograder/course.py (the one place they are defined), as the student README's is;
  `<!-- points:zh -->` the same table in Chinese (the students' page in Chinese);
- `<!-- student-readme -->` becomes the students' README as the release writes it.
"""
import os
import re
import sys

from mkdocs.structure.files import File

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def on_files(files, config):
    figures = os.path.join(ROOT, "figures")
    for name in sorted(os.listdir(figures)):
        if name.endswith(".png"):
            files.append(File(f"figures/{name}", src_dir=ROOT, dest_dir=config["site_dir"],
                              use_directory_urls=config["use_directory_urls"]))
    return files


def on_page_markdown(markdown, page, config, files):
    if not re.search(r"<!-- (points(:\w+)?|student-readme) -->", markdown):
        return markdown
    sys.path.insert(0, ROOT)
    from instructor.course.release import STUDENT_README, points_table, student_readme

    markdown = re.sub(r"<!-- points(?::(\w+))? -->", lambda m: points_table(m.group(1) or "en"), markdown)
    if "<!-- student-readme -->" in markdown:
        with open(STUDENT_README, encoding="utf-8") as f:
            readme = student_readme(f.read())
        # under this page's title: its own title dropped, each heading one level down
        readme = re.sub(r"^(#+) ", r"#\1 ", readme.split("\n", 1)[1], flags=re.M)
        markdown = markdown.replace("<!-- student-readme -->", readme)
    return markdown
