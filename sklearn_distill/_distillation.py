"""The distillation meta-estimator."""

import contextlib
import functools
import sys
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils._metadata_requests import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_sample_weight,
    _num_samples,
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._input_checks import (
    accepts_input,
    check_class_weight,
    check_numeric_columns,
    check_sample_weight_shape,
    check_sample_weight_values,
    check_weighted_rows,
    components_phrase,
    contains_nan,
)
from ._labels import check_label_types, encode_labels
from ._skorch_detect import contains_skorch_net, is_skorch_net
from ._soft_targets import (
    RESPONSE_METHODS,
    mix_targets,
    resolve_response_method,
    soften,
    teacher_log_scores,
)
from ._stages import (
    StagedTeacher,
    StudentRows,
    as_list,
    class_weights,
    concatenate_rows,
    generated_rows,
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
    teacher_folds,
)

#: How to weight rows that a sampler adds, when `sample_weight` does not match X.
GROWN_ROWS_FIX = (
    "Pass one weight per row. If a sampler earlier in an imbalanced-learn "
    "Pipeline added rows, the Pipeline passed the weights on unchanged; pass "
    "the sampler to DistillationClassifier as sampler (rows for the teacher) or "
    "transfer_set (rows for the student) instead, where each new row inherits "
    "its source row's weight."
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
    generator's state is restored afterwards. The folds of `cv`
    with a skorch teacher are fitted in this process, so they draw from it.
    """

    @functools.wraps(fit)
    def seeded_fit(self, *args, **kwargs):
        torch = sys.modules.get("torch")
        if self.random_state is None or not (
            contains_skorch_net(self.teacher) or contains_skorch_net(self.student)
        ):
            return fit(self, *args, **kwargs)

        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        with torch.random.fork_rng():
            torch.manual_seed(int(seed))
            return fit(self, *args, **kwargs)

    return seeded_fit


def _seeded_skorch_fit(student, seed):
    """Seed torch's generators for a skorch `student`'s fit, unless `seed` is None.

    The package's nets seed themselves from their ``random_state``, so
    `seed` is None for them, and for every student other than a skorch net.
    """
    if seed is None:
        return contextlib.nullcontext()
    from .neural._skorch import seeded_torch

    return seeded_torch(seed, device=student.device)


class DistillationClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Train a student classifier on a teacher's temperature-softened outputs.

    The teacher is fitted on the training data, and its class scores on the
    training rows are softened at `temperature` into soft targets. The student
    is then fitted to a mix of those soft targets and the true labels
    (knowledge distillation, Hinton et al., 2015). Trees, ensembles, linear
    models and regressors can be students: every student learns the soft
    targets themselves, never labels hardened from them.

    Optional stages surround the teacher. A `sampler` resamples or cleans the
    teacher's training data, `class_weight` reweights the classes, and a
    `transfer_set` adds generated rows near the training data for the student
    to learn, labelled by the teacher or by their source row.

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
          renormalised into probabilities;
        - a skorch ``NeuralNetClassifier`` or ``NeuralNetBinaryClassifier``:
          it is trained with :class:`~sklearn_distill.neural.DistillationLoss`
          on the soft targets and the labels, mixed by `alpha`, and each
          row's loss is multiplied by the row's weight.

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
    cv : int, cross-validation generator, iterable or None, \
            default=None
        If not None, the soft targets of the training rows are computed out
        of fold: each row is scored by a teacher fitted on the folds that
        exclude it, which avoids the over-confidence of in-sample
        probabilities of forests. An integer gives stratified folds, and
        every class of `y` needs at least as many rows as there are folds.
        The test folds must partition the rows, and the training part of
        each fold must hold every class. Splitters that need groups, such as
        ``GroupKFold``, get none from ``fit``: pass their folds as a list,
        ``list(GroupKFold(5).split(X, y, groups))``. ``teacher_`` is still
        fitted on all rows. The folds of a skorch teacher are fitted one
        after another, whatever `n_jobs` is. Not allowed with a frozen
        teacher.
    sampler : sampler or None, default=None
        An imbalanced-learn sampler, such as
        :class:`~imblearn.over_sampling.SMOTE` or
        :class:`~sklearn_distill.cleaning.LabelNoiseCleaner`, applied to the
        teacher's training rows before the teacher is fitted, and to the
        training rows of each fold when `cv` is set. It shapes only what the
        teacher learns from: the student trains on every training row and
        learns the resampled data through the soft targets. To remove rows
        from the student's data as well, put the sampler before this
        classifier in an :class:`imblearn.pipeline.Pipeline`. Samplers count
        rows, not weights: with `sample_weight`, a row of weight 2 counts
        once when a sampler balances the classes, and each row it adds
        inherits the weight of its source row. A ValueError raised by the
        sampler is re-raised with the class counts of the data it got and,
        for neighbour-based samplers such as SMOTE, a neighbour setting that
        works. Not allowed with a frozen teacher.
    transfer_set : sampler, list of samplers or None, default=None
        Samplers whose generated rows are added to the student's training
        data, such as those of :mod:`sklearn_distill.transfer` or an attack
        sampler. Each is applied to the training rows. When its output
        starts with the unchanged training rows, as for imbalanced-learn's
        over-samplers, only the rows after them are added. Otherwise every
        output row is added. The rows of each sampler follow the training
        rows in list order.
    transfer_labels : {"teacher", "source"}, default="teacher"
        Target of each transfer row. ``"teacher"``: the teacher's soft
        targets at the new row, so the student copies the teacher around the
        data, including where the teacher is brittle. ``"source"``: the
        target of the training row it was made from (its soft targets mixed
        with its label by `alpha`), so the student learns that a row's
        neighbourhood shares its label, as in adversarial training
        (``alpha=0``) and adversarially robust distillation (``alpha=1``).
        The source row is read from the sampler's ``sample_indices_``. For a
        sampler without that attribute, such as SMOTE, it is the nearest
        training row of the same class.
    class_weight : "balanced", dict or None, default=None
        Class weights, an alternative to an over-sampling `sampler`. The
        teacher's rows are weighted by the weight of their label, as
        scikit-learn classifiers do. The student weights each class's term
        of its soft-target loss: a replica of class ``k`` gets the weight of
        class ``k``, which for a one-hot target is the weight of the row's
        label. A skorch student multiplies each row's loss by the mean class
        weight under the row's target, its soft targets mixed with its label
        by `alpha`. ``"balanced"`` weights each class by ``n_samples /
        (n_classes * count)``, counted on the teacher's training labels
        (after `sampler`) for the teacher and on `y` for the student. A dict
        maps labels of `y` to finite weights of 0 or more, at least one of
        them positive, and classes missing from it get 1. The teacher must
        accept ``sample_weight`` unless it is frozen, in which case only the
        student is weighted.
    n_jobs : int, default=None
        Number of folds of `cv` fitted in parallel. None means 1
        unless in a :func:`joblib.parallel_backend` context; -1 means all
        processors.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``random_state`` parameters of the teacher and the student
        (nested ones included) that are None, so that :meth:`fit` is
        reproducible. Parameters that are already set are kept. When the
        teacher or the student is a skorch net, it also seeds torch's global
        generator during :meth:`fit`, which initialises the net's weights,
        and restores that generator's state afterwards. A skorch student
        without a ``random_state`` parameter is initialised and trained with
        torch's generators seeded by a seed drawn from `random_state`, so it
        does not depend on `n_jobs`. None leaves every component's
        randomness as it is.

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
    soft_targets_ : ndarray of shape (n_student_rows, n_classes)
        Soft targets of every row the student trains on, in order: the
        training rows, then the rows of each `transfer_set` sampler. Columns
        follow `classes_`. For a training row, they are the teacher's soft
        targets at `temperature` (out of fold with `cv`), which the
        student learns mixed with the label by `alpha`. For a transfer row
        with ``transfer_labels="teacher"``, they are the teacher's soft
        targets at the new row, learned as they are. With ``"source"``, they
        are the soft targets of the source row, mixed with the source's
        label by `alpha`. Without a transfer set, ``n_student_rows`` is
        ``n_samples``.
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

    Row weights follow the rows through every stage. The teacher gets the
    weights of the rows `sampler` returns, and each row that `sampler` or
    `transfer_set` adds inherits the weight of its source row. Transfer rows
    labelled by the teacher are scored by ``teacher_``, which was fitted on
    every training row, even when `cv` is set.

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
        "cv": ["cv_object"],
        "sampler": [HasMethods(["fit_resample"]), None],
        "transfer_set": [HasMethods(["fit_resample"]), list, None],
        "transfer_labels": [StrOptions({"teacher", "source"})],
        "class_weight": [StrOptions({"balanced"}), dict, None],
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
        cv=None,
        sampler=None,
        transfer_set=None,
        transfer_labels="teacher",
        class_weight=None,
        n_jobs=None,
        random_state=None,
    ):
        self.teacher = teacher
        self.student = student
        self.temperature = temperature
        self.alpha = alpha
        self.response_method = response_method
        self.cv = cv
        self.sampler = sampler
        self.transfer_set = transfer_set
        self.transfer_labels = transfer_labels
        self.class_weight = class_weight
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
            receives them only if it requests them. Rows that `sampler` or
            `transfer_set` adds inherit the weight of their source row.
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
            check_sample_weight_shape(
                sample_weight, _num_samples(X), fix=GROWN_ROWS_FIX
            )
            sample_weight = _check_sample_weight(
                sample_weight, X, allow_all_zero_weights=True
            )
            check_sample_weight_values(sample_weight)
        check_class_weight(self.class_weight, self.classes_)
        check_weighted_rows(self.class_weight, self.classes_, y_encoded, sample_weight)
        folds = teacher_folds(self.cv, X, y)
        teacher_params = self._teacher_fit_params(sample_weight, fit_params)

        teacher, student, sampler, transfer_samplers, student_seed = (
            self._seeded_components()
        )

        X_teacher, y_teacher = _teacher_inputs(teacher, X, y, y_encoded)
        teacher = self._fit_teacher(
            teacher, sampler, X_teacher, y_teacher, teacher_params
        )
        log_scores = self._training_log_scores(
            teacher, X_teacher, y_teacher, teacher_params, folds
        )
        soft_targets = soften(log_scores, self.temperature)

        rows = StudentRows(
            X=X,
            soft_targets=soft_targets,
            targets=mix_targets(soft_targets, y_encoded, self.alpha),
            y_encoded=y_encoded,
            sample_weight=sample_weight,
        )
        rows = self._add_transfer_rows(transfer_samplers, rows, y)
        self.soft_targets_ = rows.soft_targets

        with _seeded_skorch_fit(student, student_seed):
            self.student_ = fit_student(
                student,
                rows.X,
                rows.targets,
                sample_weight=rows.sample_weight,
                class_weight=self._student_class_weights(y, sample_weight),
                soft_targets=rows.soft_targets,
                y_encoded=rows.y_encoded,
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
            `soft_targets_` unless `cv` was set.
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
        """Name the components whose input tag `input_tag` is False.

        The components are the teacher, the student, the sampler and the
        samplers of the transfer set: each of them receives `X`.
        """
        components = [("teacher", self.teacher), ("student", self.student)]
        if self.sampler is not None:
            components.append(("sampler", self.sampler))
        transfer_set = self.transfer_set
        if transfer_set is not None and not isinstance(transfer_set, list):
            transfer_set = [transfer_set]
        for sampler in transfer_set or []:
            components.append(("transfer_set sampler", sampler))
        return [
            f"the {role} {type(estimator).__name__}"
            for role, estimator in components
            if not accepts_input(estimator, input_tag)
        ]

    def _check_components(self):
        """Raise one error that lists every problem of the teacher and student."""
        problems = []
        if resolve_response_method(self.teacher, self.response_method) is None:
            problems.append(
                f"The teacher {type(self.teacher).__name__} has no "
                f"{_method_names(self.response_method)}, so it cannot produce "
                "soft targets. Use a classifier with predict_proba or "
                "decision_function (for SVC, wrap it as "
                "CalibratedClassifierCV(SVC(), ensemble=False) from "
                "sklearn.calibration)."
            )
        if student_kind(self.student) is None:
            problems.append(
                f"The student {type(self.student).__name__} cannot learn soft "
                "targets: it must be a classifier whose fit accepts "
                "sample_weight (learns them by weighted replication) or a "
                "regressor (learns the probabilities directly)."
            )
        if self.cv is not None and is_frozen(self.teacher):
            problems.append(
                "cv is set but the teacher is a FrozenEstimator, which "
                "is never refitted, so out-of-fold targets are impossible. Set "
                "cv=None or pass an unfitted teacher."
            )
        problems.extend(self._stage_problems())
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
                f"X is a sparse matrix, but {components_phrase(rejecting)} not "
                "accept sparse input. Convert X with X.toarray(), or choose a "
                "teacher and a student that both accept sparse matrices."
            )
        if self._components_rejecting("string"):
            check_numeric_columns(X)

    def _check_missing_values(self, X, tags):
        """Raise naming the component that rejects NaN, if `X` contains NaN."""
        if tags.input_tags.allow_nan or not contains_nan(X):
            return
        rejecting = self._components_rejecting("allow_nan")
        raise ValueError(
            f"Input X contains NaN, but {components_phrase(rejecting)} not "
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
        """Clone the teacher, student and samplers and fill their unset seeds.

        Returns the teacher, the student, the sampler (or None), the list
        of transfer-set samplers and the seed of torch's generators for the
        fit of a skorch student without a ``random_state`` parameter (or
        None).
        """
        random_state = check_random_state(self.random_state)
        teacher = clone(self.teacher)
        student = clone(self.student)
        student_seed = None
        sampler = None if self.sampler is None else clone(self.sampler)
        transfer_samplers = [
            clone(transfer_sampler) for transfer_sampler in as_list(self.transfer_set)
        ]
        if self.random_state is not None:
            if not is_frozen(teacher):
                fill_random_states(teacher, random_state)
            fill_random_states(student, random_state)
            # The samplers are seeded last, so the teacher's and the student's
            # seeds do not depend on whether samplers are set.
            for resampler in [sampler, *transfer_samplers]:
                if resampler is not None:
                    fill_random_states(resampler, random_state)
            is_skorch_student = student_kind(student) == "skorch_net"
            if is_skorch_student and "random_state" not in student.get_params():
                student_seed = random_state.randint(np.iinfo(np.int32).max)
        return teacher, student, sampler, transfer_samplers, student_seed

    def _training_log_scores(self, teacher, X, y, teacher_params, folds):
        """Score the training rows in sample or, with `folds`, out of fold."""
        if folds is None:
            return teacher_log_scores(
                self.teacher_, X, self.classes_, self.response_method
            )
        return out_of_fold_log_scores(
            teacher,
            X,
            y,
            classes=self.classes_,
            folds=folds,
            response_method=self.response_method,
            fit_params=teacher_params,
            n_jobs=self.n_jobs,
        )

    # Stages around the teacher: resampling, class weights and transfer rows.

    def _stage_problems(self):
        """List the problems of `sampler`, `transfer_set` and `class_weight`."""
        problems = []
        frozen = is_frozen(self.teacher)
        if self.sampler is not None and frozen:
            problems.append(
                "sampler is set but the teacher is a FrozenEstimator, which is "
                "never refitted, so the resampled data would not be used. Set "
                "sampler=None or pass an unfitted teacher."
            )

        invalid = [
            type(transfer_sampler).__name__
            for transfer_sampler in as_list(self.transfer_set)
            if not hasattr(transfer_sampler, "fit_resample")
        ]
        if invalid:
            problems.append(
                f"transfer_set contains {invalid}, which have no fit_resample "
                "method. Pass imbalanced-learn samplers, such as those of "
                "sklearn_distill.transfer."
            )

        if (
            self.class_weight is not None
            and not frozen
            and not has_fit_parameter(self.teacher, "sample_weight")
        ):
            problems.append(
                "class_weight is set, but the teacher "
                f"{type(self.teacher).__name__} does not accept sample_weight in "
                "fit, so it would be trained without the class weights. Choose "
                "a teacher that accepts sample_weight, or weight the classes "
                "with the teacher's own parameters and set class_weight=None."
            )
        return problems

    def _fit_teacher(self, teacher, sampler, X, y, teacher_params):
        """Fit the teacher into `teacher_` after `sampler` and `class_weight`.

        Returns the estimator that `cv` clones for each fold: the
        teacher itself, or the teacher combined with its stages.
        """
        weighted = self.class_weight is not None and not is_frozen(teacher)
        if sampler is None and not weighted:
            # Fitting a frozen teacher is a no-op, so it is never retrained.
            self.teacher_ = teacher.fit(X, y, **teacher_params)
            return teacher

        staged = StagedTeacher(
            teacher,
            sampler=sampler,
            class_weight=self.class_weight if weighted else None,
        )
        self.teacher_ = staged.fit(X, y, **teacher_params).teacher_
        return staged

    def _student_class_weights(self, y, sample_weight=None):
        """Return the student's weight of each class position, or None.

        "balanced" counts each row by its sample weight, as scikit-learn's
        classifiers do, so that a weight of 2 equals a repeated row.
        """
        if self.class_weight is None:
            return None
        return class_weights(self.class_weight, self.classes_, y, sample_weight)

    def _add_transfer_rows(self, transfer_samplers, rows, y):
        """Append the rows of each transfer sampler to the student's rows.

        `rows` contains the training rows, and `y` their labels for the
        samplers.
        """
        if not transfer_samplers:
            return rows

        X = rows.X
        need_sources = (
            self.transfer_labels == "source" or rows.sample_weight is not None
        )
        blocks = [rows]
        for sampler in transfer_samplers:
            X_new, sources = generated_rows(sampler, X, y, need_sources)
            if _num_samples(X_new) > 0:
                blocks.append(self._label_transfer_rows(X_new, sources, rows))
        return concatenate_rows(blocks)

    def _label_transfer_rows(self, X_new, sources, rows):
        """Give transfer rows their targets and weights as `StudentRows`."""
        weight = None if rows.sample_weight is None else rows.sample_weight[sources]
        if self.transfer_labels == "source":
            return StudentRows(
                X=X_new,
                soft_targets=rows.soft_targets[sources],
                targets=rows.targets[sources],
                y_encoded=rows.y_encoded[sources],
                sample_weight=weight,
            )

        log_scores = teacher_log_scores(
            self.teacher_, X_new, self.classes_, self.response_method
        )
        soft_targets = soften(log_scores, self.temperature)
        # NOTE: these rows have no true label. Students that mix the labels in
        # their own loss, such as skorch nets, get the teacher's top class.
        return StudentRows(
            X=X_new,
            soft_targets=soft_targets,
            targets=soft_targets,
            y_encoded=soft_targets.argmax(axis=1),
            sample_weight=weight,
        )


def _teacher_inputs(teacher, X, y, y_encoded):
    """Return the rows and labels the teacher is fitted on.

    A skorch net needs rows in the dtype of its module's parameters and
    class positions as labels, and the columns of its logits are mapped back
    to the labels when it is scored.
    Every other teacher gets `X` and `y` unchanged.
    """
    if is_frozen(teacher) or not is_skorch_net(teacher):
        return X, y
    from .neural._skorch import net_fit_inputs

    return net_fit_inputs(teacher, X, y_encoded)


def _method_names(response_method):
    if response_method == "auto":
        return "predict_proba or decision_function"
    return response_method
