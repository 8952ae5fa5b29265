"""Transfer learning for nets: pre-train on a teacher's soft labels, then fine-tune."""

from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

from .._distillation import DistillationClassifier


class PretrainedNetClassifier(ClassifierMixin, BaseEstimator):
    """Pre-train a skorch net on a teacher's soft labels, then fine-tune it.

    The teacher is fitted on the training rows, and `generator` makes new
    rows from them. The net is first distilled from the teacher on the new
    rows alone (soft targets only, at `temperature`), then trained for
    `fine_tune_epochs` more epochs on the training rows and their labels,
    with its weights kept.

    Parameters
    ----------
    teacher : classifier
        Teacher fitted on the training rows.
    net : skorch NeuralNetClassifier
        Unfitted net, pre-trained then fine-tuned.
    generator : imbalanced-learn sampler
        Transfer-set generator from :mod:`sklearn_distill.transfer`. Only
        the rows it adds are used for pre-training.
    temperature : float, default=2.0
        Distillation temperature of the pre-training.
    fine_tune_epochs : int, default=10
        Epochs of training on the labelled training rows.

    Attributes
    ----------
    teacher_ : classifier
        The fitted teacher.
    net_ : skorch NeuralNetClassifier
        The pre-trained and fine-tuned net, the model to deploy.
    classes_ : ndarray of shape (n_classes,)
        Labels seen during :meth:`fit`.
    """

    def __init__(
        self, teacher, net, generator, *, temperature=2.0, fine_tune_epochs=10
    ):
        self.teacher = teacher
        self.net = net
        self.generator = generator
        self.temperature = temperature
        self.fine_tune_epochs = fine_tune_epochs

    def fit(self, X, y):
        """Fit the teacher, pre-train the net on generated rows, fine-tune it.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Training rows, float32.
        y : ndarray of shape (n_samples,)
            Class positions, int64.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self.teacher_ = clone(self.teacher).fit(X, y)

        generator = clone(self.generator)
        X_all, y_all = generator.fit_resample(X, y)
        n_samples = X.shape[0]
        X_new, y_new = X_all[n_samples:], y_all[n_samples:]

        # With alpha=1 the labels of the new rows only fix the classes; the
        # net learns the teacher's soft labels alone.
        pretraining = DistillationClassifier(
            FrozenEstimator(self.teacher_),
            clone(self.net),
            temperature=self.temperature,
            alpha=1.0,
        ).fit(X_new, y_new)

        # The distillation criterion takes plain labels as cross-entropy, so
        # fine-tuning continues the same net on the training rows.
        self.net_ = pretraining.student_
        self.net_.partial_fit(X, y, epochs=self.fine_tune_epochs)
        self.classes_ = self.net_.classes_
        return self

    def predict(self, X):
        """Predict class positions with the fine-tuned net.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted class positions.
        """
        check_is_fitted(self)
        return self.net_.predict(X)
