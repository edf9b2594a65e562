"""The notebook as a student hands it in: a PDF (through LaTeX, or a headless browser) or,
where this machine can make neither, a self-contained HTML file, its formulas drawn into it
so that it shows them with no network. Used by `python -m autograder.submit`."""
import re

from autograder.i18n import N_, _

MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
# TeX that matplotlib's mathtext writes otherwise (it knows no \tfrac, \text or \big).
MATHTEXT = [(r"\\tfrac", r"\\frac"), (r"\\frac(\d)(\d)", r"\\frac{\1}{\2}"), (r"\\text\{", r"\\mathrm{"),
            (r"\\big([\[\]()])", r"\1"), (r"\\big\b", ""), (r"\\mid\b", "|"), (r"\\dots\b", r"\\ldots"),
            (r"\\\|", r"\\Vert "), (r"\\qquad\b", r"\\quad\\quad ")]


def formula_svg(tex):
    """A TeX formula drawn as SVG by matplotlib's mathtext, or None if it cannot draw it."""
    import io

    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    tex = " ".join(tex.split())
    for pattern, replacement in MATHTEXT:
        tex = re.sub(pattern, replacement, tex)
    buffer = io.BytesIO()
    try:
        mathtext.math_to_image(f"${tex}$", buffer, prop=FontProperties(size=13), format="svg")
    except Exception:  # a command mathtext does not know
        return None
    return buffer.getvalue()


def draw_formulas(markdown):
    """Markdown with each $...$ and $$...$$ replaced by an image of the formula (outside
    code), so that the HTML needs no MathJax from a CDN; a formula mathtext cannot draw
    stays as its TeX, in code."""
    import base64
    import html

    def image(match):
        display = match.group(1) is not None
        tex = match.group(1) if display else match.group(2)
        svg = formula_svg(tex)
        if svg is None:
            return f"<code>{html.escape(match.group(0))}</code>"
        tag = (f'<img alt="{html.escape(" ".join(tex.split()))}" style="vertical-align: middle" '
               f'src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}">')
        return f'\n\n<div style="text-align: center">{tag}</div>\n\n' if display else tag

    pieces = re.split(r"(```.*?```|`[^`\n]*`)", markdown, flags=re.S)  # code keeps its dollars
    return "".join(piece if i % 2 else MATH.sub(image, piece) for i, piece in enumerate(pieces))


def with_drawn_formulas(nb):
    """A copy of the notebook whose markdown cells carry their formulas as images."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = draw_formulas(cell.source)
    return nb


def pdf_tools():
    """What each way to a PDF needs, and which of it this machine lacks: {way: [missing]}."""
    import importlib.util
    import shutil

    latex = [tool for tool in ("xelatex", "pandoc") if shutil.which(tool) is None]
    browser = [] if importlib.util.find_spec("playwright") else ["playwright (pip install 'nbconvert[webpdf]')"]
    return {LATEX: latex, BROWSER: browser}


LATEX, BROWSER = N_("LaTeX"), N_("a headless browser")  # the two ways to a PDF, as the note names them
HOW_TO_GET_A_PDF = N_("to get a PDF on Colab, run `!apt-get install -y texlive-xetex texlive-fonts-recommended "
                      "texlive-plain-generic pandoc` in a cell; on a laptop, `pip install 'nbconvert[webpdf]'` and "
                      "`playwright install chromium`; or open the HTML in a browser and print it to PDF")


def render(nb, name):
    """The notebook as a PDF if this machine can make one, else as a self-contained HTML
    file: (file name, bytes, note). Nothing is written to disk."""
    import nbconvert

    missing, failed, drawn = pdf_tools(), [], with_drawn_formulas(nb)
    for exporter, how in ((nbconvert.PDFExporter, LATEX), (nbconvert.WebPDFExporter, BROWSER)):
        if missing[how]:
            continue
        try:  # LaTeX typesets the formulas itself; a browser gets them drawn
            body, _resources = exporter().from_notebook_node(nb if how == LATEX else drawn)
            return name + ".pdf", body, _("a PDF of the notebook (made with {how})").format(how=_(how))
        except Exception as err:  # the tools are there, and still failed: say how
            failed.append(_("{how} failed ({error})").format(
                how=_(how), error=f"{type(err).__name__}: {str(err).strip().splitlines()[-1:] or ''}"))
    exporter = nbconvert.HTMLExporter()
    exporter.embed_images = True  # one file: the figures (and the formulas, drawn) travel inside it
    body, _resources = exporter.from_notebook_node(drawn)
    why = _("; ").join([_("{how} needs {tools}").format(how=_(how), tools=_(" and ").join(tools))
                        for how, tools in missing.items() if tools] + failed)
    return name + ".html", body.encode("utf-8"), _(
        "an HTML file of the notebook, not a PDF, because {why}: {how_to}").format(why=why, how_to=_(HOW_TO_GET_A_PDF))
