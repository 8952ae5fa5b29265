"""The distillation meta-estimator."""

import functools
import sys
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._metadata_requests import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._labels import check_label_types, encode_labels
from ._soft_targets import (
    RESPONSE_METHODS,
    mix_targets,
    resolve_response_method,
    soften,
    teacher_log_scores,
)
from ._students import (
    fit_student,
    student_has,
    student_kind,
    student_predict_proba,
)
from ._teacher import (
    fill_random_states,
    is_frozen,
    out_of_fold_log_scores,
)


def _student_has(method):
    """Build an ``available_if`` check on the fitted or unfitted student."""

    def check(self):
        student = getattr(self, "student_", self.student)
        return student_has(student, method)

    return check


def _restore_state_on_error(fit):
    """Make `fit` leave the estimator's attributes as they were if it raises.

    Without this, an error raised after validation leaves attributes such as
    ``n_features_in_`` behind, and the estimator looks fitted.
    """

    @functools.wraps(fit)
    def fit_or_restore(self, *args, **kwargs):
        state = dict(vars(self))
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            vars(self).clear()
            vars(self).update(state)
            raise

    return fit_or_restore


def _seed_torch_for_skorch(fit):
    """Run `fit` with torch's global generator seeded from `random_state`.

    skorch nets draw their initial weights and batch order from torch's
    global generator, which no ``random_state`` parameter reaches. The
    generator's state is restored afterwards. Folds of `teacher_cv` fitted
    in other processes (``n_jobs`` > 1) use those processes' generators.
    """

    @functools.wraps(fit)
    def seeded_fit(self, *args, **kwargs):
        torch = sys.modules.get("torch")
        if self.random_state is None or not (
            _uses_skorch(self.teacher) or _uses_skorch(self.student)
        ):
            return fit(self, *args, **kwargs)

        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        with torch.random.fork_rng():
            torch.manual_seed(int(seed))
            return fit(self, *args, **kwargs)

    return seeded_fit


def _uses_skorch(estimator):
    """Tell whether `estimator` is or contains a skorch net."""
    skorch = sys.modules.get("skorch")
    if skorch is None:
        return False
    params = estimator.get_params(deep=True) if hasattr(estimator, "get_params") else {}
    return any(
        isinstance(value, skorch.NeuralNet) for value in [estimator, *params.values()]
    )


class DistillationClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Train a student classifier on a teacher's temperature-softened outputs.

    The teacher is fitted on the training data, and its class scores on the
    training rows are softened at `temperature` into soft targets. The student
    is then fitted to a mix of those soft targets and the true labels
    (knowledge distillation, Hinton et al., 2015). Trees, ensembles, linear
    models and regressors can be students: every student learns the soft
    targets themselves, never labels hardened from them.

    Parameters
    ----------
    teacher : classifier
        Classifier with ``predict_proba`` or ``decision_function``. It is
        cloned and fitted in :meth:`fit`. Pass a pre-trained teacher as
        :class:`sklearn.frozen.FrozenEstimator` to use it without refitting.
    student : estimator
        Model trained on the soft targets. One of:

        - a classifier whose ``fit`` accepts ``sample_weight``: it learns the
          soft targets by weighted replication (each row once per class,
          weighted by that class's target probability);
        - a regressor: it learns the target matrix (the positive-class column
          for two classes) and its predictions are clipped to [0, 1] and
          renormalised into probabilities.

        A :class:`~sklearn.tree.DecisionTreeRegressor` student grows the same
        tree as a :class:`~sklearn.tree.DecisionTreeClassifier` with the Gini
        criterion, because squared-error splits on the target matrix have the
        same gains as Gini splits on the replicas. It fits on one row per
        sample instead of one per class with a target of at least ``1e-3``,
        so it is the faster choice for many classes.
    temperature : float, default=1.0
        Softmax temperature applied to the teacher's log-scores. Values above
        1 spread probability over the other classes and so pass on more of
        the teacher's knowledge of similar classes.
    alpha : float, default=1.0
        Weight of the soft targets in [0, 1]; the one-hot true labels get
        ``1 - alpha``. 1 trains on the soft targets alone, 0 on the labels.
    response_method : {"auto", "decision_function", "predict_proba"}, \
            default="auto"
        Teacher method the soft targets are computed from. ``"auto"`` uses
        ``decision_function`` (logits for linear and boosted models) when the
        teacher has it, otherwise ``predict_proba``. Probabilities are
        floored at ``1e-6`` and renormalised before taking logs, so that the
        probabilities of exactly 0 and 1 of trees still respond to the
        temperature.
    teacher_cv : int, cross-validation generator, iterable or None, \
            default=None
        If not None, the soft targets of the training rows are computed out
        of fold: each row is scored by a teacher fitted on the folds that
        exclude it, which avoids the over-confidence of in-sample
        probabilities of forests. An integer gives stratified folds.
        ``teacher_`` is still fitted on all rows. Not allowed with a frozen
        teacher.
    n_jobs : int, default=None
        Number of folds of `teacher_cv` fitted in parallel. None means 1
        unless in a :func:`joblib.parallel_backend` context; -1 means all
        processors.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``random_state`` parameters of the teacher and the student
        (nested ones included) that are None, so that :meth:`fit` is
        reproducible. Parameters that are already set are kept. When the
        teacher or the student is a skorch net, it also seeds torch's global
        generator during :meth:`fit`, which initialises the net's weights,
        and restores that generator's state afterwards. None leaves every
        component's randomness as it is.

    Attributes
    ----------
    teacher_ : classifier
        The fitted teacher (the frozen estimator itself when a
        :class:`~sklearn.frozen.FrozenEstimator` was passed).
    student_ : estimator
        The fitted student. It was trained on class positions
        ``0..n_classes-1``, not on the labels in `classes_`.
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``y`` during :meth:`fit`.
    soft_targets_ : ndarray of shape (n_samples, n_classes)
        Teacher's soft targets at `temperature` for the rows used in
        :meth:`fit`, columns in the order of `classes_`. These are the exact
        soft targets mixed with the labels by `alpha`.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`. Defined only when `X` has
        feature names that are all strings.

    See Also
    --------
    sklearn.frozen.FrozenEstimator : Wrap a pre-trained teacher.
    sklearn.calibration.CalibratedClassifierCV : Another meta-estimator that
        reshapes a classifier's probabilities.

    Notes
    -----
    Defensive distillation (Papernot et al., 2016) is distillation at a high
    temperature with the student deployed at temperature 1. It masks
    gradients rather than removing adversarial examples (Carlini and Wagner,
    2016): evaluate it with adaptive attacks.

    References
    ----------
    G. Hinton, O. Vinyals and J. Dean, "Distilling the Knowledge in a Neural
    Network", 2015.

    N. Papernot, P. McDaniel, X. Wu, S. Jha and A. Swami, "Distillation as a
    Defense to Adversarial Perturbations against Deep Neural Networks", 2016.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_distill import DistillationClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = DistillationClassifier(
    ...     RandomForestClassifier(n_estimators=50, random_state=0),
    ...     DecisionTreeClassifier(max_depth=3, random_state=0),
    ...     temperature=2.0,
    ... ).fit(X, y)
    >>> model.soft_targets_.shape
    (569, 2)
    >>> model.predict_proba(X[:2]).round(2)
    array([[1., 0.],
           [1., 0.]])
    """

    _parameter_constraints: dict = {
        "teacher": [HasMethods(["fit"])],
        "student": [HasMethods(["fit", "predict"])],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "response_method": [StrOptions(set(RESPONSE_METHODS))],
        "teacher_cv": ["cv_object", None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        teacher,
        student,
        *,
        temperature=1.0,
        alpha=1.0,
        response_method="auto",
        teacher_cv=None,
        n_jobs=None,
        random_state=None,
    ):
        self.teacher = teacher
        self.student = student
        self.temperature = temperature
        self.alpha = alpha
        self.response_method = response_method
        self.teacher_cv = teacher_cv
        self.n_jobs = n_jobs
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    @_restore_state_on_error
    @_seed_torch_for_skorch
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the teacher, compute the soft targets and fit the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows. Sparse matrices are accepted when the teacher and
            the student both accept them; NaN when both accept missing values.
        y : array-like of shape (n_samples,)
            Class labels: integers, floats, strings or booleans.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights. They weight the student's rows and are passed to the
            teacher's ``fit``. With metadata routing enabled, the teacher
            receives them only if it requests them.
        **fit_params : dict
            Further parameters routed to the teacher's ``fit``; only with
            metadata routing enabled.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_components()
        X, y = self._validate_training_data(X, y)
        self.classes_, y_encoded = encode_labels(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        teacher_params = self._teacher_fit_params(sample_weight, fit_params)

        teacher, student = self._seeded_components()

        # Fitting a frozen teacher is a no-op, so it is never retrained.
        self.teacher_ = teacher.fit(X, y, **teacher_params)

        log_scores = self._training_log_scores(teacher, X, y, teacher_params)
        self.soft_targets_ = soften(log_scores, self.temperature)

        targets = mix_targets(self.soft_targets_, y_encoded, self.alpha)
        self.student_ = fit_student(
            student,
            X,
            targets,
            sample_weight=sample_weight,
            soft_targets=self.soft_targets_,
            y_encoded=y_encoded,
            alpha=self.alpha,
            temperature=self.temperature,
        )
        return self

    def compute_soft_targets(self, X):
        """Compute the fitted teacher's soft targets at `temperature`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        soft_targets : ndarray of shape (n_samples, n_classes)
            Teacher's probabilities softened at `temperature`, columns in the
            order of `classes_`. For the training rows this equals
            `soft_targets_` unless `teacher_cv` was set.
        """
        check_is_fitted(self)
        X = self._validate_predict_data(X)
        log_scores = teacher_log_scores(
            self.teacher_, X, self.classes_, self.response_method
        )
        return soften(log_scores, self.temperature)

    def predict(self, X):
        """Predict class labels with the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, drawn from `classes_`.
        """
        check_is_fitted(self)
        X = self._validate_predict_data(X)
        if student_kind(self.student_) in ("regressor", "skorch_net"):
            positions = student_predict_proba(
                self.student_, X, self.classes_.shape[0]
            ).argmax(axis=1)
        else:
            positions = np.asarray(self.student_.predict(X), dtype=np.int64)
        return self.classes_[positions]

    @available_if(_student_has("predict_proba"))
    def predict_proba(self, X):
        """Predict class probabilities with the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of `classes_`; rows sum to 1. A class
            the student never saw during training gets probability 0.
        """
        check_is_fitted(self)
        X = self._validate_predict_data(X)
        return student_predict_proba(self.student_, X, self.classes_.shape[0])

    @available_if(_student_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Predict the logarithm of class probabilities with the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Natural logarithms of :meth:`predict_proba`.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_student_has("decision_function"))
    def decision_function(self, X):
        """Compute the student's decision function.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The student's scores: one column for two classes (positive for
            ``classes_[1]``), one column per class otherwise.
        """
        check_is_fitted(self)
        X = self._validate_predict_data(X)
        return self.student_.decision_function(X)

    def get_metadata_routing(self):
        """Get the metadata routing of this estimator.

        Returns
        -------
        routing : MetadataRouter
            Routes ``sample_weight`` and other fit parameters to the
            teacher's ``fit``; the distillation itself consumes
            ``sample_weight`` to weight the student's rows.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                teacher=self.teacher,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = not self._components_rejecting("allow_nan")
        tags.input_tags.sparse = not self._components_rejecting("sparse")
        return tags

    def _components_rejecting(self, input_tag):
        """Name the teacher and the student whose input tag `input_tag` is False."""
        components = {"teacher": self.teacher, "student": self.student}
        return [
            f"the {role} {type(estimator).__name__}"
            for role, estimator in components.items()
            if not _accepts_input(estimator, input_tag)
        ]

    def _check_components(self):
        """Raise one error that lists every problem of the teacher and student."""
        problems = []
        if resolve_response_method(self.teacher, self.response_method) is None:
            problems.append(
                f"The teacher {type(self.teacher).__name__} has no "
                f"{_method_names(self.response_method)}, so it cannot produce "
                "soft targets. Use a classifier with predict_proba or "
                "decision_function (for SVC, set probability=True)."
            )
        if student_kind(self.student) is None:
            problems.append(
                f"The student {type(self.student).__name__} cannot learn soft "
                "targets: it must be a classifier whose fit accepts "
                "sample_weight (learns them by weighted replication) or a "
                "regressor (learns the probabilities directly)."
            )
        if self.teacher_cv is not None and is_frozen(self.teacher):
            problems.append(
                "teacher_cv is set but the teacher is a FrozenEstimator, which "
                "is never refitted, so out-of-fold targets are impossible. Set "
                "teacher_cv=None or pass an unfitted teacher."
            )
        if problems:
            raise ValueError(" ".join(problems))

    def _validate_training_data(self, X, y):
        tags = self.__sklearn_tags__()
        self._check_input_format(X, tags)
        check_label_types(y)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"] if tags.input_tags.sparse else False,
            ensure_all_finite="allow-nan",
            dtype=None if tags.input_tags.sparse else "numeric",
            y_numeric=False,
        )
        self._check_missing_values(X, tags)
        return X, y

    def _validate_predict_data(self, X):
        tags = self.__sklearn_tags__()
        self._check_input_format(X, tags)
        X = validate_data(
            self,
            X,
            reset=False,
            accept_sparse=["csr", "csc"] if tags.input_tags.sparse else False,
            ensure_all_finite="allow-nan",
            dtype=None if tags.input_tags.sparse else "numeric",
        )
        self._check_missing_values(X, tags)
        return X

    def _check_input_format(self, X, tags):
        """Raise naming the component that rejects sparse or non-numeric `X`."""
        if sparse.issparse(X) and not tags.input_tags.sparse:
            rejecting = self._components_rejecting("sparse")
            raise TypeError(
                f"X is a sparse matrix, but {_components_phrase(rejecting)} not "
                "accept sparse input. Convert X with X.toarray(), or choose a "
                "teacher and a student that both accept sparse matrices."
            )
        if self._components_rejecting("string"):
            _check_numeric_columns(X)

    def _check_missing_values(self, X, tags):
        """Raise naming the component that rejects NaN, if `X` contains NaN."""
        if tags.input_tags.allow_nan or not _contains_nan(X):
            return
        rejecting = self._components_rejecting("allow_nan")
        raise ValueError(
            f"Input X contains NaN, but {_components_phrase(rejecting)} not "
            "accept missing values. Impute them first, for example with "
            "sklearn.impute.SimpleImputer in a Pipeline, or choose a teacher "
            "and a student that both accept NaN, such as "
            "HistGradientBoostingClassifier and DecisionTreeClassifier."
        )

    def _teacher_fit_params(self, sample_weight, fit_params):
        """Return the parameters of the teacher's ``fit``."""
        if _routing_enabled():
            routed = process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
            return dict(routed.teacher.fit)

        if fit_params:
            raise ValueError(
                f"fit got unexpected parameters {sorted(fit_params)}. Pass them "
                "with metadata routing: sklearn.set_config("
                "enable_metadata_routing=True) and "
                "teacher.set_fit_request(...)."
            )
        if sample_weight is None or is_frozen(self.teacher):
            return {}
        if not has_fit_parameter(self.teacher, "sample_weight"):
            raise ValueError(
                f"sample_weight was passed, but the teacher "
                f"{type(self.teacher).__name__} does not accept sample_weight in "
                "fit, so it would be trained unweighted. Choose a teacher that "
                "accepts sample_weight, or enable metadata routing to decide "
                "explicitly."
            )
        return {"sample_weight": sample_weight}

    def _seeded_components(self):
        """Clone the teacher and the student and fill their unset seeds."""
        random_state = check_random_state(self.random_state)
        teacher = clone(self.teacher)
        student = clone(self.student)
        if self.random_state is not None:
            if not is_frozen(teacher):
                fill_random_states(teacher, random_state)
            fill_random_states(student, random_state)
        return teacher, student

    def _training_log_scores(self, teacher, X, y, teacher_params):
        """Score the training rows in sample or, with `teacher_cv`, out of fold."""
        if self.teacher_cv is None:
            return teacher_log_scores(
                self.teacher_, X, self.classes_, self.response_method
            )
        return out_of_fold_log_scores(
            teacher,
            X,
            y,
            classes=self.classes_,
            cv=self.teacher_cv,
            response_method=self.response_method,
            fit_params=teacher_params,
            n_jobs=self.n_jobs,
        )


def _method_names(response_method):
    if response_method == "auto":
        return "predict_proba or decision_function"
    return response_method


def _accepts_input(estimator, input_tag):
    """Tell whether `estimator` accepts the input that `input_tag` names.

    scikit-learn 1.9 never sets ``allow_nan`` on a Pipeline, but NaN reaches
    only its first step, so that step's tag is used.
    """
    if input_tag == "allow_nan" and isinstance(estimator, Pipeline) and estimator.steps:
        first_step = estimator.steps[0][1]
        if first_step is not None and first_step != "passthrough":
            estimator = first_step
    return getattr(get_tags(estimator).input_tags, input_tag)


def _components_phrase(components):
    """Join component names into the subject of "does not" or "do not"."""
    return " and ".join(components) + (" does" if len(components) == 1 else " do")


def _contains_nan(X):
    values = X.data if sparse.issparse(X) else np.asarray(X)
    if values.dtype.kind in "fc":
        return bool(np.isnan(values).any())
    if values.dtype.kind == "O":
        # NaN is the only value not equal to itself.
        return bool(np.any(values != values))
    return False


def _check_numeric_columns(X):
    """Raise naming the columns of a DataFrame or object array that are not numbers.

    The error keeps the type that NumPy raises: TypeError for objects such as
    dicts, ValueError for strings that are not numbers.
    """
    if hasattr(X, "dtypes") and hasattr(X, "iloc"):
        columns = [
            (name, X.iloc[:, index])
            for index, (name, dtype) in enumerate(X.dtypes.items())
            if dtype.kind not in "biufc"
        ]
    elif isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "OUS":
        columns = [(index, X[:, index]) for index in range(X.shape[1])]
    else:
        return

    failures = []
    for name, values in columns:
        try:
            np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as error:
            failures.append((name, error))

    if failures:
        names = [name if isinstance(name, int) else str(name) for name, _ in failures]
        error = failures[0][1]
        raise type(error)(
            f"X has columns that cannot be converted to numbers: {names} "
            f"({error}). Encode categorical and text columns as numbers first, "
            "for example with OneHotEncoder or OrdinalEncoder in a "
            "sklearn.compose.ColumnTransformer."
        ) from error
