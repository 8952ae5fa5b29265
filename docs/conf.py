"""Sphinx configuration of the sklearn-distill documentation.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html``
from the repository root. The build runs every gallery example under
``examples/``, so it needs the ``docs`` extra and takes a few minutes.
"""

import importlib
import os
import re
import sys
from pathlib import Path

import matplotlib

# Gallery examples draw with the non-interactive Agg backend.
matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

import sklearn_distill  # noqa: E402

project = "sklearn-distill"
author = "The sklearn-distill developers"
copyright = "The sklearn-distill developers"
release = sklearn_distill.__version__
version = re.sub(r"\.dev\d+$", "", release)

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
default_role = "literal"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
# numpydoc writes the member tables itself; autodoc's would repeat them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-distill {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}

sphinx_gallery_conf = {
    "examples_dirs": str(DOCS.parent / "examples"),
    "gallery_dirs": str(DOCS / "auto_examples"),
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    # A failing example fails the build instead of showing a traceback.
    "only_warn_on_example_error": False,
    "abort_on_example_error": False,
}

#: Public modules whose ``__all__`` must be listed in ``api.rst``.
PUBLIC_MODULES = [
    "sklearn_distill",
    "sklearn_distill.adversarial",
    "sklearn_distill.cleaning",
    "sklearn_distill.exceptions",
    "sklearn_distill.metrics",
    "sklearn_distill.neural",
    "sklearn_distill.transfer",
]


def _public_names():
    """List ``module.name`` for every name in the public modules' ``__all__``."""
    names = []
    for module_name in PUBLIC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        names.extend(f"{module_name}.{name}" for name in module.__all__)
    return names


def check_api_reference(app, config):
    """Warn, and so fail a ``-W`` build, when api.rst misses a public name."""
    from sphinx.util import logging

    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed = set()
    current = ""
    for line in text.splitlines():
        module = re.match(r"^\.\. currentmodule:: (\S+)", line)
        if module:
            current = module.group(1)
            continue
        entry = re.match(r"^ {3,}([A-Za-z_]\w*)\s*$", line)
        if entry and current:
            listed.add(f"{current}.{entry.group(1)}")

    logger = logging.getLogger(__name__)
    for name in _public_names():
        if name not in listed:
            logger.warning(
                "The public name %s is missing from docs/api.rst. Add it to the "
                "autosummary of its module.",
                name,
            )


def write_cli_help(app, config):
    """Write the ``compare --help`` text that cli.rst includes."""
    from sklearn_distill._cli import build_parser

    parser = build_parser()
    compare = parser.parse_args(["compare"]).command_parser
    compare.prog = "sklearn-distill compare"
    generated = DOCS / "generated"
    generated.mkdir(exist_ok=True)
    os.environ["COLUMNS"] = "80"
    (generated / "cli_help.txt").write_text(compare.format_help(), encoding="utf-8")


def skip_routing_setters(app, what, name, obj, skip, options):
    """Skip the ``set_*_request`` methods that scikit-learn adds to estimators.

    Their docstrings cite scikit-learn's own glossary and routing guide,
    which this documentation does not contain.
    """
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


# A bare word ending in "_" is a hyperlink reference in reST, but docstrings
# use such words for fitted attributes, as in "shape (n_features_in_,)".
_TRAILING_UNDERSCORE = re.compile(r"(?<![\w*`|\\])([A-Za-z]\w*)_(?=[\s,.;:)\]]|$)")


def _literal_lines(lines):
    """Flag the lines of doctest and literal blocks, which reST shows verbatim."""
    flags = []
    in_doctest = False
    literal_indent = None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None and stripped and indent <= literal_indent:
            literal_indent = None
        if stripped.startswith(">>>"):
            in_doctest = True
        elif not stripped:
            in_doctest = False
        flags.append(in_doctest or literal_indent is not None)
        if stripped.endswith("::") and literal_indent is None:
            literal_indent = indent
    return flags


def escape_attribute_names(app, what, name, obj, options, lines):
    """Escape the trailing underscore of bare fitted-attribute names."""
    for index, is_literal in enumerate(_literal_lines(lines)):
        if is_literal:
            continue
        # Odd-numbered pieces are inside backquotes and are left alone.
        pieces = lines[index].split("`")
        for position in range(0, len(pieces), 2):
            pieces[position] = _TRAILING_UNDERSCORE.sub(r"\1\\_", pieces[position])
        lines[index] = "`".join(pieces)


def setup(app):
    app.connect("config-inited", check_api_reference)
    app.connect("config-inited", write_cli_help)
    app.connect("autodoc-skip-member", skip_routing_setters)
    # After numpydoc (priority 500) has turned the sections into reST.
    app.connect("autodoc-process-docstring", escape_attribute_names, priority=900)
