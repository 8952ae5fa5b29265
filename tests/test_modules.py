import pickle
import re

import numpy as np
import pytest
import skops.io as sio
import torch
from sklearn.base import clone
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier
from skorch.dataset import Dataset

from sklearn_distill import DistillationClassifier
from sklearn_distill.neural import (
    AdversarialNetBinaryClassifier,
    AdversarialNetClassifier,
    MLPModule,
    TemperatureNetClassifier,
    TemperatureScaledModule,
)

MULTI_CLASS_NETS = [AdversarialNetClassifier, TemperatureNetClassifier]
ALL_NETS = [*MULTI_CLASS_NETS, AdversarialNetBinaryClassifier]

# Types of this package that skops reports for a net on MLPModule fitted on
# string labels, whose scoring callback decodes class positions to labels.
MLP_NET_UNTRUSTED_TYPES = {
    "sklearn_distill.neural._contract._positions_to_labels",
    "sklearn_distill.neural._modules.MLPModule",
    "sklearn_distill.neural._nets.TemperatureNetClassifier",
}


@pytest.fixture
def three_class_data():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 5).astype("float32")
    y = np.repeat(["ant", "bee", "cat"], 20)
    return X, y


def _net(net_class=TemperatureNetClassifier, **params):
    defaults = {
        "module__hidden_layer_sizes": (6,),
        "max_epochs": 1,
        "train_split": None,
        "verbose": 0,
    }
    return net_class(**{**defaults, **params})


def _linear_shapes(module):
    return [
        tuple(layer.weight.shape)
        for layer in module.layers
        if isinstance(layer, torch.nn.Linear)
    ]


@pytest.mark.parametrize(
    "hidden_layer_sizes, expected",
    [
        ((100,), [(100, 4), (3, 100)]),
        (7, [(7, 4), (3, 7)]),
        ([5, 6], [(5, 4), (6, 5), (3, 6)]),
        ((), [(3, 4)]),
    ],
)
def test_module_layer_sizes(hidden_layer_sizes, expected):
    module = MLPModule(hidden_layer_sizes, n_features=4, n_outputs=3)

    assert _linear_shapes(module) == expected
    assert module(torch.ones(2, 4)).shape == (2, 3)


@pytest.mark.parametrize(
    "activation, layer_class",
    [
        ("identity", torch.nn.Identity),
        ("logistic", torch.nn.Sigmoid),
        ("tanh", torch.nn.Tanh),
        ("relu", torch.nn.ReLU),
    ],
)
def test_module_activation(activation, layer_class):
    module = MLPModule((5, 5), activation, n_features=4, n_outputs=2)

    kinds = [type(layer) for layer in module.layers]
    assert kinds == [
        torch.nn.Linear,
        layer_class,
        torch.nn.Linear,
        layer_class,
        torch.nn.Linear,
    ]


def test_module_flattens_rows():
    module = MLPModule((4,), n_features=6, n_outputs=2)
    images = torch.ones(3, 2, 3)

    assert module(images).shape == (3, 2)
    assert torch.equal(module(images), module(images.reshape(3, 6)))


def test_module_seed_fixes_weights():
    torch.manual_seed(1)
    before = torch.random.get_rng_state()

    first = MLPModule((5,), n_features=4, n_outputs=2, random_state=3)
    second = MLPModule((5,), n_features=4, n_outputs=2, random_state=3)
    other = MLPModule((5,), n_features=4, n_outputs=2, random_state=4)

    assert torch.equal(torch.random.get_rng_state(), before)
    for name, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[name]), name
        assert not torch.equal(value, other.state_dict()[name]), name


def test_module_seed_keeps_linear_range():
    module = MLPModule((50,), n_features=20, n_outputs=2, random_state=0)
    first, last = module.layers[0], module.layers[2]

    # torch.nn.Linear draws weights and biases from U(-1/sqrt(fan_in), ...).
    assert first.weight.abs().max() <= 1 / np.sqrt(20)
    assert first.bias.abs().max() <= 1 / np.sqrt(20)
    assert last.weight.abs().max() <= 1 / np.sqrt(50)
    assert first.weight.std() > 0.5 / np.sqrt(20 * 3)


@pytest.mark.parametrize(
    "params, msg",
    [
        (
            {"hidden_layer_sizes": (4, 0)},
            "The 'hidden_layer_sizes' parameter of MLPModule must be an int or a "
            "sequence of ints, each greater than 0. Got (4, 0) instead.",
        ),
        (
            {"hidden_layer_sizes": "4"},
            "The 'hidden_layer_sizes' parameter of MLPModule must be an int or a "
            "sequence of ints, each greater than 0. Got '4' instead.",
        ),
        (
            {"activation": "softmax"},
            "The 'activation' parameter of MLPModule must be one of ['identity', "
            "'logistic', 'relu', 'tanh']. Got 'softmax' instead.",
        ),
        (
            {"n_features": 2.5},
            "The 'n_features' parameter of MLPModule must be an int greater than "
            "0. Got 2.5 instead.",
        ),
        (
            {"n_outputs": 0},
            "The 'n_outputs' parameter of MLPModule must be an int greater than 0. "
            "Got 0 instead.",
        ),
        (
            {"random_state": -1},
            "The 'random_state' parameter of MLPModule must be None or an int in "
            "the range [0, 2**63). Got -1 instead.",
        ),
    ],
)
def test_module_rejects_invalid_parameters(params, msg):
    params = {"n_features": 4, "n_outputs": 2, **params}
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        MLPModule(**params)


@pytest.mark.parametrize(
    "params, msg",
    [
        (
            {"n_outputs": 2},
            "MLPModule needs n_features, the number of input features, but it is "
            "None. The nets of sklearn_distill.neural set it when fit receives an "
            "array; otherwise pass module__n_features to the skorch net.",
        ),
        (
            {"n_features": 4},
            "MLPModule needs n_outputs, the number of classes or 1 for a binary "
            "net, but it is None. The nets of sklearn_distill.neural set it when "
            "fit receives an array and class labels; otherwise pass "
            "module__n_outputs to the skorch net.",
        ),
    ],
)
def test_module_requires_sizes(params, msg):
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        MLPModule(**params)


@pytest.mark.parametrize("net_class", ALL_NETS)
def test_net_default_module(net_class):
    assert net_class().module is MLPModule


@pytest.mark.parametrize("net_class", MULTI_CLASS_NETS)
def test_net_sizes_module_from_data(three_class_data, net_class):
    X, y = three_class_data
    net = _net(net_class)
    params = net.get_params()

    net.fit(X, y)

    assert _linear_shapes(net.module_) == [(6, 5), (3, 6)]
    assert net.predict_proba(X).shape == (60, 3)
    assert net.get_params().keys() == params.keys()
    assert "module__n_features" not in net.get_params()
    assert "module__n_outputs" not in net.get_params()
    assert clone(net).get_params().keys() == params.keys()


def test_binary_net_gets_one_output(binary_data):
    X, y = binary_data

    net = _net(AdversarialNetBinaryClassifier, attack="fgsm").fit(X, y)

    assert _linear_shapes(net.module_) == [(6, 4), (1, 6)]
    assert net.predict_proba(X).shape == (60, 2)


@pytest.mark.parametrize("net_class", MULTI_CLASS_NETS)
def test_net_rejects_set_outputs_mismatch(three_class_data, net_class):
    X, y = three_class_data
    net = _net(net_class, module__n_outputs=4)

    msg = (
        f"The module__n_outputs parameter of {net_class.__name__} is 4, but it "
        "is trained on 3 classes ['ant', 'bee', 'cat'], and its module needs "
        "one output per class. Remove module__n_outputs, so that fit takes the "
        "number of classes from y, or pass y with 4 classes."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, y)
    assert not hasattr(net, "n_features_in_")


@pytest.mark.parametrize("net_class", ALL_NETS)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_net_rejects_set_features_mismatch(binary_data, net_class, method):
    X, y = binary_data
    net = _net(net_class, module__n_features=7)

    msg = (
        f"The module__n_features parameter of {net_class.__name__} is 7, but "
        "the rows of X have 4 features. Remove module__n_features, so that fit "
        "takes the number of features from X, or pass X with 7 features."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        getattr(net, method)(X, y)
    assert not hasattr(net, "n_features_in_")


def test_net_counts_features_of_image_rows(binary_data):
    X, y = binary_data
    images = X.reshape(60, 1, 2, 2)

    net = _net(module__n_features=4).fit(images, y)

    assert net.module_.n_features == 4


@pytest.mark.parametrize("n_outputs", [2, 3])
def test_binary_net_rejects_set_outputs(binary_data, n_outputs):
    X, y = binary_data
    net = _net(AdversarialNetBinaryClassifier, module__n_outputs=n_outputs)

    msg = (
        "The module of AdversarialNetBinaryClassifier returns one logit per "
        f"row, the score of classes_[1], but module__n_outputs is {n_outputs}. "
        "Remove module__n_outputs, or use AdversarialNetClassifier, whose "
        "module returns one logit per class."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(X, y)
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        net.fit(torch.as_tensor(X), torch.as_tensor(y, dtype=torch.float32))


def test_binary_net_accepts_one_set_output(binary_data):
    X, y = binary_data

    net = _net(AdversarialNetBinaryClassifier, module__n_outputs=1).fit(X, y)

    assert net.module_.n_outputs == 1


def test_net_user_module_unchanged(binary_data):
    X, y = binary_data
    module = torch.nn.Linear(4, 2)
    net = TemperatureNetClassifier(module, max_epochs=1, train_split=None, verbose=0)

    net.fit(X, y)

    assert net.module_ is module


def test_refit_rebuilds_for_new_sizes(three_class_data, binary_data):
    X, y = three_class_data
    X_binary, y_binary = binary_data
    net = _net().fit(X, y)

    net.fit(X_binary, y_binary)

    assert _linear_shapes(net.module_) == [(6, 4), (2, 6)]
    assert net.predict_proba(X_binary).shape == (60, 2)


def test_warm_start_keeps_module(three_class_data):
    X, y = three_class_data
    net = _net(warm_start=True).fit(X, y)
    module = net.module_

    net.fit(X, y)

    assert net.module_ is module
    assert net.n_iter_ == 2


def test_warm_start_rebuilds_for_new_sizes(three_class_data, binary_data):
    X, y = three_class_data
    X_binary, y_binary = binary_data
    net = _net(warm_start=True).fit(X, y)
    module = net.module_

    net.fit(X_binary, y_binary)

    assert net.module_ is not module
    assert _linear_shapes(net.module_) == [(6, 4), (2, 6)]
    assert net.n_iter_ == 1


def test_partial_fit_sizes_from_classes(three_class_data):
    X, y = three_class_data
    net = _net()

    net.partial_fit(X[y != "cat"], y[y != "cat"], classes=["ant", "bee", "cat"])
    net.partial_fit(X, y)

    assert _linear_shapes(net.module_) == [(6, 5), (3, 6)]
    assert net.n_iter_ == 2


def test_set_params_rebuilds_fitted_module(three_class_data):
    X, y = three_class_data
    net = _net().fit(X, y)

    net.set_params(module__hidden_layer_sizes=(2, 3))

    assert _linear_shapes(net.module_) == [(2, 5), (3, 2), (3, 3)]


def test_net_trains_on_images():
    rng = np.random.RandomState(0)
    images = rng.rand(40, 2, 3, 3).astype("float32")
    y = rng.randint(3, size=40)

    net = _net().fit(images, y)

    assert _linear_shapes(net.module_) == [(6, 18), (3, 6)]
    assert net.predict(images).shape == (40,)


def test_dataset_input_needs_sizes(binary_data):
    X, y = binary_data
    dataset = Dataset(X, y)

    msg = (
        "MLPModule needs n_features, the number of input features, but it is "
        "None. The nets of sklearn_distill.neural set it when fit receives an "
        "array; otherwise pass module__n_features to the skorch net."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        _net().fit(dataset, None)

    net = _net(module__n_features=4, module__n_outputs=2).fit(dataset, None)
    assert net.predict_proba(X).shape == (60, 2)


def test_load_params_with_sizes(binary_data, tmp_path):
    X, y = binary_data
    net = _net().fit(X, y)
    path = tmp_path / "params.pt"
    net.save_params(f_params=path)

    loaded = _net(module__n_features=4, module__n_outputs=2)
    loaded.initialize()
    loaded.load_params(f_params=path)

    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))


def test_pickle_round_trip(three_class_data):
    X, y = three_class_data
    net = _net().fit(X, y)

    loaded = pickle.loads(pickle.dumps(net))

    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    loaded.set_params(module__hidden_layer_sizes=(2,))
    assert _linear_shapes(loaded.module_) == [(2, 5), (3, 2)]


def test_skops_round_trip(three_class_data):
    X, y = three_class_data
    net = _net().fit(X, y)

    dumped = sio.dumps(net)
    untrusted = set(sio.get_untrusted_types(data=dumped))
    loaded = sio.loads(dumped, trusted=sorted(untrusted))

    own_types = {name for name in untrusted if name.startswith("sklearn_distill.")}
    assert own_types == MLP_NET_UNTRUSTED_TYPES
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))


@pytest.mark.parametrize(
    "student",
    [
        _net(AdversarialNetClassifier, attack="fgsm"),
        _net(TemperatureNetClassifier),
        _net(
            NeuralNetClassifier,
            module=MLPModule,
            criterion=torch.nn.CrossEntropyLoss,
        ),
    ],
    ids=["adversarial", "temperature", "plain-skorch"],
)
def test_distillation_student(three_class_data, student):
    X, y = three_class_data
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=2), student, random_state=0
    )

    model.fit(X, y)

    assert _linear_shapes(model.student_.module_) == [(6, 5), (3, 6)]
    assert model.predict_proba(X).shape == (60, 3)
    assert "module__n_outputs" not in model.student.get_params()


@pytest.mark.parametrize(
    "student",
    [
        _net(AdversarialNetBinaryClassifier, attack="fgsm"),
        _net(NeuralNetBinaryClassifier, module=MLPModule),
    ],
    ids=["adversarial", "plain-skorch"],
)
def test_distillation_binary_student(binary_data, student):
    X, y = binary_data
    model = DistillationClassifier(
        DecisionTreeClassifier(max_depth=2), student, random_state=0
    )

    model.fit(X, y)

    assert _linear_shapes(model.student_.module_) == [(6, 4), (1, 6)]
    assert model.predict_proba(X).shape == (60, 2)


def test_distillation_student_counts_all_classes(three_class_data):
    # A stump gives "cat" the top score on no row, so the labels passed to
    # the student have two classes, but its module needs three outputs.
    X, y = three_class_data
    teacher = DecisionTreeClassifier(max_depth=1, random_state=0)
    model = DistillationClassifier(teacher, _net(), random_state=0)

    model.fit(X, y)

    assert len(np.unique(model.soft_targets_.argmax(axis=1))) < 3
    assert model.student_.module_.n_outputs == 3
    assert model.predict_proba(X).shape == (60, 3)


@pytest.mark.parametrize("teacher_class", MULTI_CLASS_NETS)
def test_distillation_teacher(three_class_data, teacher_class):
    X, y = three_class_data
    model = DistillationClassifier(
        _net(teacher_class), DecisionTreeClassifier(max_depth=2), random_state=0
    )

    model.fit(X, y)

    assert _linear_shapes(model.teacher_.module_) == [(6, 5), (3, 6)]
    assert model.soft_targets_.shape == (60, 3)


def test_temperature_wrapper_of_fitted_module(three_class_data):
    X, y = three_class_data
    net = _net(temperature=5.0).fit(X, y)
    rows = torch.as_tensor(X[:3])

    scaled = TemperatureScaledModule(net.module_, net.training_temperature_)

    assert torch.allclose(scaled(rows), net.module_(rows) / 5.0)
