"""Training methods compared on one split: the logic of ``sklearn-distill compare``.

The package is split by concept: ``_data`` loads and splits the data,
``_methods`` builds the estimator of each method, ``_evaluation`` fits and
measures them, and ``_output`` writes the results. The command-line parsing
lives in :mod:`sklearn_distill._cli`.
"""

from ._data import (
    DATASETS,
    MAX_CATEGORIES,
    CompareInputError,
    Dataset,
    Split,
    dataset_from_frame,
    load_csv_dataset,
    load_named_dataset,
    load_rdataset,
    split_dataset,
)
from ._evaluation import (
    ATTACK_NAMES,
    DEFAULT_ATTACK_ROWS,
    DEFAULT_ATTACKS,
    Comparison,
    deployed_model,
    evaluate_model,
    model_size_kb,
    run_comparison,
)
from ._methods import (
    DEFAULT_EPOCHS,
    DEFAULT_EPS,
    FAMILIES,
    METHODS,
    Method,
    Settings,
    select_methods,
)
from ._output import (
    OUTPUT_FORMATS,
    ROBUST_PREFIX,
    format_report,
    format_table,
    plot_robustness_curves,
    robust_columns,
    save_plot,
    write_results,
)

__all__ = [
    "ATTACK_NAMES",
    "DATASETS",
    "DEFAULT_ATTACKS",
    "DEFAULT_ATTACK_ROWS",
    "DEFAULT_EPOCHS",
    "DEFAULT_EPS",
    "FAMILIES",
    "MAX_CATEGORIES",
    "METHODS",
    "OUTPUT_FORMATS",
    "ROBUST_PREFIX",
    "CompareInputError",
    "Comparison",
    "Dataset",
    "Method",
    "Settings",
    "Split",
    "deployed_model",
    "evaluate_model",
    "format_report",
    "format_table",
    "dataset_from_frame",
    "load_csv_dataset",
    "load_named_dataset",
    "load_rdataset",
    "model_size_kb",
    "plot_robustness_curves",
    "robust_columns",
    "run_comparison",
    "save_plot",
    "select_methods",
    "split_dataset",
    "write_results",
]
