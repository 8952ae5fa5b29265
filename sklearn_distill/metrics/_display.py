"""Plot of robust accuracy against the perturbation budget."""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .. import _art
from ..adversarial._generate import validate_rows
from ._robustness import attack_runs, evaluate_attack, validate_labels, worst_case


class RobustnessCurveDisplay:
    """Robustness curve: accuracy against the perturbation budget ε.

    Build it with :meth:`from_estimator`, :meth:`from_predictions` or
    :meth:`from_report`; each call draws one curve, so several models share
    one axis when the ``ax_`` of the first display is passed to the next.

    Parameters
    ----------
    eps : array-like of shape (n_budgets,)
        Perturbation budgets, 0 for clean accuracy.
    accuracy : array-like of shape (n_budgets,)
        Robust accuracy at each budget.
    name : str, default=None
        Name of the curve in the legend.
    attack : str, default=None
        Name of the attack, shown in the y-axis label.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The curve.
    ax_ : matplotlib Axes
        Axes with the curve.
    figure_ : matplotlib Figure
        Figure containing the curve.

    See Also
    --------
    robustness_report : The metrics behind the curve, for several attacks.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill.metrics import RobustnessCurveDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(60, 2)
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> shallow = DecisionTreeClassifier(max_depth=1).fit(X, y)
    >>> deep = DecisionTreeClassifier(random_state=0).fit(X, y)
    >>> display = RobustnessCurveDisplay.from_estimator(
    ...     shallow, X, y, eps=[0, 0.05, 0.1], name="depth 1"
    ... )
    >>> display = RobustnessCurveDisplay.from_estimator(
    ...     deep, X, y, eps=[0, 0.05, 0.1], name="full depth", ax=display.ax_
    ... )
    >>> len(display.ax_.lines)
    2
    """

    def __init__(self, *, eps, accuracy, name=None, attack=None):
        self.eps = eps
        self.accuracy = accuracy
        self.name = name
        self.attack = attack

    def plot(self, ax=None, *, name=None, **kwargs):
        """Draw the curve.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        name : str, default=None
            Legend name; None uses the display's `name`.
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : RobustnessCurveDisplay
            This display, with ``line_``, ``ax_`` and ``figure_`` set.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:
            raise ImportError(
                "RobustnessCurveDisplay needs matplotlib. Install it with "
                "pip install 'sklearn-distill[plot]'."
            ) from exc

        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        line_settings = {"marker": "o", **kwargs}
        if name is not None:
            line_settings.setdefault("label", name)

        (self.line_,) = ax.plot(self.eps, self.accuracy, **line_settings)
        ax.set_xlabel("Perturbation budget ε")
        ylabel = "Robust accuracy"
        if self.attack is not None:
            ylabel = f"Robust accuracy ({self.attack})"
        ax.set_ylabel(ylabel)
        ax.set_ylim(-0.02, 1.02)
        if name is not None:
            ax.legend(loc="lower left")

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        eps=(0.0, 0.05, 0.1, 0.2),
        attack="auto",
        norm="inf",
        clip_values=None,
        random_state=None,
        n_jobs=None,
        name=None,
        ax=None,
        **kwargs,
    ):
        """Attack a fitted classifier at each budget and plot its accuracy.

        At each budget a row counts as correct only if the model classifies
        both it and its adversarial row correctly. For a model trained at a
        softmax temperature above 1, gradient attacks also run on the
        logits divided by that temperature, and the worse outcome counts.

        Parameters
        ----------
        estimator : fitted classifier
            The model to attack.
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Evaluation rows.
        y : array-like of shape (n_samples,)
            True labels.
        eps : array-like of float, default=(0.0, 0.05, 0.1, 0.2)
            Non-negative budgets; 0 gives the clean accuracy.
        attack : str or ART evasion attack, default="auto"
            Attack to run; see
            :func:`~sklearn_distill.adversarial.generate_adversarial`.
        norm : {"inf", 1, 2}, default="inf"
            Norm that measures the perturbation.
        clip_values : tuple, default=None
            Minimum and maximum valid value of every feature; None uses the
            range of each column of `X`.
        random_state : int, RandomState instance or None, default=None
            Seeds the attacks.
        n_jobs : int, default=None
            Number of chunks of rows attacked in parallel with joblib.
        name : str, default=None
            Legend name; None uses the estimator's class name.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : RobustnessCurveDisplay
            The display with the curve drawn.
        """
        check_is_fitted(estimator)
        X_valid = validate_rows(X)
        y = validate_labels(y, X_valid)
        budgets = _validate_curve_budgets(eps)
        rng = check_random_state(random_state)
        y_clean = _art.predict_labels(estimator, X)
        runs = attack_runs(estimator, [attack], norm)

        accuracy = []
        for budget in budgets:
            if budget == 0:
                accuracy.append(float(np.mean(y_clean == y)))
                continue
            outcomes = [
                evaluate_attack(
                    estimator,
                    X_valid,
                    X,
                    y,
                    y_clean,
                    attack=attack_item,
                    label=label,
                    kind=kind,
                    eps=budget,
                    norm=norm,
                    clip_values=clip_values,
                    random_state=rng.randint(np.iinfo(np.int32).max),
                    n_jobs=n_jobs,
                    verbose=0,
                )
                for label, attack_item, kind in runs
            ]
            worst = worst_case(outcomes, y_clean, budget)
            accuracy.append(float(np.mean(worst.y_pred == y)))

        name = type(estimator).__name__ if name is None else name
        display = cls(eps=budgets, accuracy=accuracy, name=name, attack=runs[0][0])
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, eps, name=None, ax=None, **kwargs):
        """Plot accuracy against the budget from predictions on attacked rows.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : sequence of array-like of shape (n_samples,)
            For each budget, the model's predictions on the rows attacked at
            that budget (the clean predictions for a budget of 0).
        eps : array-like of shape (n_budgets,)
            The budgets, in the order of `y_pred`.
        name : str, default=None
            Legend name.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : RobustnessCurveDisplay
            The display with the curve drawn.
        """
        y_true = np.asarray(y_true)
        eps = np.asarray(eps, dtype=np.float64)
        if len(y_pred) != eps.shape[0]:
            raise ValueError(
                f"y_pred has predictions for {len(y_pred)} budgets, but eps has "
                f"{eps.shape[0]}. Pass one array of predictions per budget."
            )
        accuracy = [float(np.mean(np.asarray(pred) == y_true)) for pred in y_pred]
        display = cls(eps=eps.tolist(), accuracy=accuracy, name=name)
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_report(cls, report, *, attack="worst_case", name=None, ax=None, **kwargs):
        """Plot one attack's accuracy curve from a robustness report.

        Parameters
        ----------
        report : DataFrame
            Output of :func:`robustness_report`. Its clean accuracy is the
            point at budget 0.
        attack : str, default="worst_case"
            Attack whose curve to draw.
        name : str, default=None
            Legend name; None uses `attack`.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : RobustnessCurveDisplay
            The display with the curve drawn.
        """
        accuracy = report[report["metric"] == "accuracy"]
        available = sorted(set(accuracy["attack"]) - {"clean"})
        if attack not in available:
            raise ValueError(
                f"The report has no attack {attack!r}; it has {available!r}. Pass "
                "one of those."
            )
        clean = accuracy[accuracy["attack"] == "clean"]
        curve = accuracy[accuracy["attack"] == attack].sort_values("eps")
        eps = [0.0, *curve["eps"].tolist()]
        values = [float(clean["value"].iloc[0]), *curve["value"].tolist()]
        name = attack if name is None else name
        display = cls(eps=eps, accuracy=values, name=name, attack=attack)
        return display.plot(ax=ax, **kwargs)


def _validate_curve_budgets(eps):
    budgets = np.unique(np.atleast_1d(np.asarray(eps, dtype=np.float64)))
    if budgets.ndim != 1 or not np.all(np.isfinite(budgets)) or np.any(budgets < 0):
        raise ValueError(
            f"eps must be a list of non-negative floats, got {eps!r}. Include 0 "
            "to plot the clean accuracy."
        )
    return budgets.tolist()
