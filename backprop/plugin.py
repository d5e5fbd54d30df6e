"""pytest plugin: `pytest --backprop-impl TARGET` runs the conformance battery on TARGET, and
`pytest --backprop-layer FILE.py:NAME` checks one layer.

The battery becomes one test item per check, `backprop::CHECK-ID`, and a layer one item per
gradient check, `backprop-layer::CHECK-ID`; always the same items in the same order (a layer's
checks follow from its kind, told from its name without importing it), so that pytest-xdist
workers agree on what was collected; each item runs only its own check, so xdist can spread
them over workers.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("backprop")
    group.addoption(
        "--backprop-impl",
        action="store",
        default=None,
        metavar="TARGET",
        help="run the backprop conformance battery on TARGET (module:attr or path/to/file.py:attr)",
    )
    group.addoption(
        "--backprop-loss",
        action="store",
        default="half_sse",
        metavar="NAME",
        help="the loss TARGET's backward differentiates (default half_sse)",
    )
    group.addoption(
        "--backprop-max-examples",
        action="store",
        type=int,
        default=None,
        metavar="N",
        help="cases tried per check",
    )
    group.addoption(
        "--backprop-layers",
        action="append",
        default=None,
        metavar="SIZES",
        help="check only this architecture of TARGET, e.g. 784,128,10 (repeatable)",
    )
    group.addoption(
        "--backprop-hidden",
        action="store",
        default=None,
        metavar="MIN-MAX",
        help="draw networks with this many hidden layers (e.g. 1 or 1-2)",
    )
    group.addoption(
        "--backprop-activation",
        action="store",
        default=None,
        metavar="NAMES",
        help="draw only these activations, e.g. tanh,sigmoid",
    )
    group.addoption(
        "--backprop-seed",
        action="store",
        type=int,
        default=0,
        metavar="N",
        help="seed of the battery's case search (default 0)",
    )
    group.addoption(
        "--backprop-layer",
        action="store",
        default=None,
        metavar="TARGET",
        help="check one layer's gradients (FILE.py:NAME: a layer class, a function returning one, "
        "a CS231n-style forward or backward function, or a loss function)",
    )
    group.addoption(
        "--backprop-layer-kind",
        action="store",
        default=None,
        metavar="KIND",
        help="the kind of the layer given by --backprop-layer, when its name does not say",
    )


class BatteryItem(pytest.Item):
    """One battery check as a pytest test."""

    def __init__(self, *, check: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        self.check()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from .battery.targets import TargetError
        from .testing import BatteryCheckFailed

        if isinstance(excinfo.value, (BatteryCheckFailed, TargetError, ValueError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int | None, str]:
        option = "backprop_impl" if self.parent and self.parent.name == "backprop" else "backprop_layer"
        return str(self.config.getoption(option)), None, self.name


class BatteryCollector(pytest.Collector):
    """The battery's checks on the target given by --backprop-impl, in battery order."""

    def collect(self) -> list[pytest.Item]:
        from .battery import CHECK_IDS
        from .testing import BatteryCheck

        config = self.config
        options = (
            config.getoption("backprop_loss"),
            config.getoption("backprop_max_examples"),
            config.getoption("backprop_seed"),
        )
        space = {
            "layers": config.getoption("backprop_layers"),
            "hidden": config.getoption("backprop_hidden"),
            "activation": config.getoption("backprop_activation"),
        }
        declared = {name: value for name, value in space.items() if value is not None}
        target = config.getoption("backprop_impl")
        return [
            BatteryItem.from_parent(
                self, name=check_id, check=BatteryCheck(target, check_id, *options, options=declared)
            )
            for check_id in CHECK_IDS
        ]


class LayerCollector(pytest.Collector):
    """The checks of the layer given by --backprop-layer: dx, each parameter's gradient, untouched."""

    def collect(self) -> list[pytest.Item]:
        from .layers.runner import LayerTargetError, layer_check_ids
        from .testing import LayerCheck

        config = self.config
        target = config.getoption("backprop_layer")
        kind = config.getoption("backprop_layer_kind")
        options = (kind, config.getoption("backprop_max_examples"), config.getoption("backprop_seed"))
        try:
            ids = layer_check_ids(target, kind)
        except LayerTargetError as error:
            message = str(error)

            def unusable() -> None:
                raise LayerTargetError(message)

            return [BatteryItem.from_parent(self, name="layer", check=unusable)]
        return [
            BatteryItem.from_parent(self, name=check_id, check=LayerCheck(target, check_id, *options))
            for check_id in ids
        ]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Append one item per check (before -k and -m deselect, so they filter these too)."""
    if config.getoption("backprop_impl"):
        collector = BatteryCollector.from_parent(session, name="backprop", nodeid="backprop")
        items.extend(session.genitems(collector))  # reports the collection too, so pytest counts the items
    if config.getoption("backprop_layer"):
        layer = LayerCollector.from_parent(session, name="backprop-layer", nodeid="backprop-layer")
        items.extend(session.genitems(layer))
