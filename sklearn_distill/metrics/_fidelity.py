"""Agreement of a distilled student with its teacher."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import _check_sample_weight, check_is_fitted


def fidelity_score(estimator, X, *, sample_weight=None):
    """Compute the share of rows on which a distilled student agrees with its teacher.

    Fidelity measures how well distillation transferred the teacher's
    decisions, whatever the true labels: it is the share of rows on which
    ``estimator.predict(X)`` equals ``estimator.teacher_.predict(X)``.

    Parameters
    ----------
    estimator : fitted DistillationClassifier or Pipeline
        A fitted :class:`~sklearn_distill.DistillationClassifier`, or a
        pipeline whose final step is one. In a pipeline the teacher scores
        the rows as the earlier steps transform them.
    X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
        Rows to compare on.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    fidelity : float
        Weighted share of agreeing rows, in [0, 1].

    Raises
    ------
    ValueError
        If the estimator has no fitted ``teacher_``.

    See Also
    --------
    fidelity_scorer : The same measure as a scorer for model selection.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill import DistillationClassifier
    >>> from sklearn_distill.metrics import fidelity_score
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = DistillationClassifier(
    ...     RandomForestClassifier(n_estimators=20, random_state=0),
    ...     DecisionTreeClassifier(max_depth=3, random_state=0),
    ... ).fit(X, y)
    >>> round(fidelity_score(model, X), 2)
    0.96
    """
    check_is_fitted(estimator)
    distilled, X_teacher = _distilled_step(estimator, X)
    student_predictions = np.asarray(estimator.predict(X))
    # The teacher's top class is read from its soft targets, which share its
    # argmax and map the outputs of teachers fitted on class positions, such
    # as skorch nets, back to the labels.
    soft_targets = distilled.compute_soft_targets(X_teacher)
    teacher_predictions = distilled.classes_[soft_targets.argmax(axis=1)]
    agreement = student_predictions == teacher_predictions
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, agreement)
    return float(np.average(agreement, weights=sample_weight))


def fidelity_scorer(estimator, X, y=None, sample_weight=None):
    """Score a distilled model by its fidelity to its teacher.

    A scorer with the signature scikit-learn expects, for the ``scoring``
    argument of :class:`~sklearn.model_selection.GridSearchCV`,
    :func:`~sklearn.model_selection.cross_val_score` or
    :func:`~sklearn.model_selection.cross_validate` (alone or in a dict of
    scorers). The true labels are ignored.

    Parameters
    ----------
    estimator : fitted DistillationClassifier or Pipeline
        See :func:`fidelity_score`.
    X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
        Validation rows.
    y : array-like of shape (n_samples,), default=None
        Ignored; accepted for the scorer signature.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    fidelity : float
        Weighted share of rows on which student and teacher agree.

    See Also
    --------
    fidelity_score : The measure itself.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.model_selection import cross_validate
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill import DistillationClassifier
    >>> from sklearn_distill.metrics import fidelity_scorer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = DistillationClassifier(
    ...     RandomForestClassifier(n_estimators=20, random_state=0),
    ...     DecisionTreeClassifier(max_depth=3, random_state=0),
    ... )
    >>> scoring = {"fidelity": fidelity_scorer, "accuracy": "accuracy"}
    >>> scores = cross_validate(model, X, y, cv=3, scoring=scoring)
    >>> sorted(key for key in scores if key.startswith("test_"))
    ['test_accuracy', 'test_fidelity']
    """
    return fidelity_score(estimator, X, sample_weight=sample_weight)


def _distilled_step(estimator, X):
    """Return the distillation model and the rows its teacher scores."""
    if isinstance(estimator, Pipeline):
        # Samplers act only during fit, so the rows pass through the
        # transformers alone, as at predict time.
        for _, step in estimator.steps[:-1]:
            if (
                step is not None
                and step != "passthrough"
                and not hasattr(step, "fit_resample")
            ):
                X = step.transform(X)
        estimator = estimator.steps[-1][1]
    if not hasattr(estimator, "teacher_"):
        raise ValueError(
            "fidelity_score needs a fitted DistillationClassifier, or a pipeline "
            f"ending in one, whose teacher_ it compares with; got "
            f"{type(estimator).__name__}, which has no teacher_."
        )
    return estimator, X
