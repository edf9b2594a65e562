"""MkDocs hooks: what the guide shows comes from the files that hold it.

- the figures of figures/ (PNG) are served from where the commands write them, not copied
  into docs/;
- `<!-- points -->` becomes the table of points per part, from POINTS and MANUAL of
  autograder/course.py (the one place they are defined), as the student README's is.
"""
import os
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
    if "<!-- points -->" not in markdown:
        return markdown
    sys.path.insert(0, ROOT)
    from instructor.course.release import points_table

    return markdown.replace("<!-- points -->", points_table())
