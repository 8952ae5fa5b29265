"""numpydoc validation of the docstring of every public object.

Public objects are the names in ``__all__`` of the package and of each public
module, found by walking the package, and the public methods that our classes
define. The examples in the docstrings run as doctests through pytest's
``--doctest-modules``, set in ``setup.cfg``.
"""

import importlib
import inspect
import pkgutil

import pytest
from numpydoc.validate import validate

import sklearn_distill

# Error codes that are not reported, and why:
#
# - RT02 (the Returns line should hold only the type): returned values are
#   named, as in scikit-learn ("proba : ndarray of shape ..."), so that the
#   text can refer to them.
# - ES01, SA01 (no extended summary, no See Also) on functions and methods:
#   classes carry the longer description and the links to the estimators a
#   user chooses between, as in scikit-learn.
# - EX01 (no Examples) on methods: the class's example shows its methods.
IGNORED_EVERYWHERE = {"RT02"}
IGNORED_ON_FUNCTIONS_AND_METHODS = {"ES01", "SA01"}
IGNORED_ON_METHODS = {"EX01"}

# Docstrings still incomplete. The marks are strict, so a fixed docstring
# fails the run until its entry is removed here.
KNOWN_INCOMPLETE = {}


def public_modules():
    """Import and return the package and every module without a private part."""
    names = ["sklearn_distill"]
    for module in pkgutil.walk_packages(sklearn_distill.__path__, "sklearn_distill."):
        parts = module.name.split(".")[1:]
        if not any(part.startswith("_") for part in parts):
            names.append(module.name)
    return [importlib.import_module(name) for name in names]


def _defining_class(klass, attribute):
    return next(base for base in klass.__mro__ if attribute in vars(base))


def _own_methods(klass):
    """Name the public methods and properties that our own code defines."""
    names = []
    for attribute in sorted(dir(klass)):
        if attribute.startswith("_"):
            continue
        owner = _defining_class(klass, attribute)
        if owner.__module__.startswith("sklearn_distill"):
            names.append(attribute)
    return names


def public_objects():
    """Return the import path and the kind of every object to validate."""
    objects = {}
    for module in public_modules():
        for name in getattr(module, "__all__", []):
            path = f"{module.__name__}.{name}"
            obj = getattr(module, name)
            if inspect.isclass(obj):
                objects[path] = "class"
                for method in _own_methods(obj):
                    objects[f"{path}.{method}"] = "method"
            else:
                objects[path] = "function"
    return objects


PUBLIC_OBJECTS = public_objects()


def _reported_errors(path, kind):
    ignored = set(IGNORED_EVERYWHERE)
    if kind in ("function", "method"):
        ignored |= IGNORED_ON_FUNCTIONS_AND_METHODS
    if kind == "method":
        ignored |= IGNORED_ON_METHODS
    result = validate(path)
    return [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in ignored
    ]


def _cases():
    cases = []
    for path, kind in PUBLIC_OBJECTS.items():
        marks = []
        if path in KNOWN_INCOMPLETE:
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_INCOMPLETE[path])]
        cases.append(pytest.param(path, kind, id=path, marks=marks))
    return cases


@pytest.mark.parametrize("path, kind", _cases())
def test_docstring_valid(path, kind):
    errors = _reported_errors(path, kind)
    assert errors == [], "\n".join([path, *errors])


def test_discovery_finds_known_objects():
    expected = {
        "sklearn_distill.DistillationClassifier": "class",
        "sklearn_distill.DistillationClassifier.fit": "method",
        "sklearn_distill.DistillationClassifier.compute_soft_targets": "method",
        "sklearn_distill.cleaning.LabelNoiseCleaner": "class",
        "sklearn_distill.transfer.MungeSampler": "class",
        "sklearn_distill.neural.DistillationLoss": "class",
        "sklearn_distill.neural.distillation_loss": "function",
    }
    for path, kind in expected.items():
        assert PUBLIC_OBJECTS.get(path) == kind, path


def test_discovery_skips_inherited_methods():
    assert "sklearn_distill.DistillationClassifier.get_params" not in PUBLIC_OBJECTS
    assert "sklearn_distill.DistillationClassifier.score" not in PUBLIC_OBJECTS


def test_known_incomplete_entries_exist():
    assert set(KNOWN_INCOMPLETE) <= set(PUBLIC_OBJECTS)


def test_public_modules_declare_all():
    missing = [
        module.__name__ for module in public_modules() if not hasattr(module, "__all__")
    ]
    assert missing == []
