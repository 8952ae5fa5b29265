"""Writing the results of a comparison: terminal table, CSV, JSON and PNG."""

from pathlib import Path

from ._data import CompareInputError

#: Prefix of the result columns that hold robust accuracy, followed by the eps.
ROBUST_PREFIX = "robust@"

#: Output file formats, by file extension.
OUTPUT_FORMATS = (".csv", ".json")


def robust_columns(results):
    """List the robust-accuracy columns of `results` with their eps.

    Parameters
    ----------
    results : DataFrame
        Table returned by :func:`run_comparison`.

    Returns
    -------
    columns : list of (float, str)
        ``(eps, column name)`` pairs, by increasing eps.
    """
    columns = [
        (float(name[len(ROBUST_PREFIX) :]), name)
        for name in results.columns
        if name.startswith(ROBUST_PREFIX)
    ]
    return sorted(columns)


def format_table(results):
    """Render the results as a fixed-width text table for the terminal.

    Parameters
    ----------
    results : DataFrame
        Table returned by :func:`run_comparison`, one row per method.

    Returns
    -------
    table : str
        The table, floats rounded to 3 decimals, sizes to 1 decimal.
    """
    formatters = {
        "size_kb": "{:.1f}".format,
        "fit_s": "{:.3f}".format,
    }
    return results.to_string(
        index=False,
        float_format="{:.3f}".format,
        formatters=formatters,
        na_rep="n/a",
    )


def write_results(results, path):
    """Write the results to a CSV or JSON file, chosen by the extension.

    Parameters
    ----------
    results : DataFrame
        Table returned by :func:`run_comparison`.
    path : str or path-like
        Output file ending in ``.csv`` or ``.json``. A JSON file holds a list
        of one object per method.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        results.to_csv(path, index=False)
    elif suffix == ".json":
        results.to_json(path, orient="records", indent=2)
    else:
        raise CompareInputError(
            f"Cannot tell the format of the output file {str(path)!r} from its "
            f"extension {suffix!r}. Use a name ending in .csv or .json."
        )


def plot_robustness_curves(results, ax=None):
    """Plot accuracy against eps, one line per method.

    The point at eps 0 is the clean accuracy.

    Parameters
    ----------
    results : DataFrame
        Table returned by :func:`run_comparison`.
    ax : matplotlib Axes, default=None
        Axes to draw on. None creates a new figure.

    Returns
    -------
    ax : matplotlib Axes
        The axes holding one line per row of `results`, labelled with the
        method's name.
    """
    import matplotlib.pyplot as plt

    from ..metrics import RobustnessCurveDisplay

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")

    columns = robust_columns(results)
    eps = [0.0] + [value for value, _ in columns]
    for _, row in results.iterrows():
        accuracy = [row["accuracy"]] + [row[name] for _, name in columns]
        RobustnessCurveDisplay(eps=eps, accuracy=accuracy, name=row["method"]).plot(
            ax=ax
        )

    ax.set_xlabel("eps (L-infinity budget, share of each feature's range)")
    ax.set_ylabel("accuracy under the worst attack")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    return ax


def save_plot(results, path, *, title=None):
    """Save the robustness curves of `results` to a PNG file.

    The method names, in plotting order, are written into the PNG's
    ``Description`` text field, so that the file states what it shows.

    Parameters
    ----------
    results : DataFrame
        Table returned by :func:`run_comparison`.
    path : str or path-like
        Output file.
    title : str, default=None
        Title of the figure.
    """
    # A bare Figure draws with the Agg canvas whatever pyplot's backend is,
    # so saving works without a display.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = plot_robustness_curves(results, ax=figure.subplots())
    if title is not None:
        ax.set_title(title)
    description = "Robustness curves: " + "; ".join(results["method"])
    figure.savefig(path, format="png", dpi=100, metadata={"Description": description})


def format_report(comparison):
    """Render a comparison as the text the command prints.

    Parameters
    ----------
    comparison : Comparison
        Result of :func:`run_comparison`.

    Returns
    -------
    report : str
        The title, the table and the notes, separated by blank lines.
    """
    parts = [comparison.title, format_table(comparison.results)]
    if comparison.notes:
        parts.append("\n".join(comparison.notes))
    return "\n\n".join(parts)
