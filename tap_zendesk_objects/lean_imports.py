"""Start-up without the parts of singer-sdk a tap run never uses; each still loads the moment it is used.

Most nightly runs export little, so the fixed cost of starting the tap is most of what they spend, and
most of that cost was `import singer_sdk`: its `__init__` imports the whole SDK (targets, sinks, joblib,
SQL and GraphQL streams, inline mappers), and the modules a tap needs import packages for features this
tap never uses on a run: `upath` (with `fsspec` and `asyncio`) for BATCH files, `backoff` for a retry
decorator the shared request loop replaces, `jsonpath_ng` for records paths the streams do not use,
`inflection` for flattening, `importlib_metadata` for BATCH encoder plugins, `logging.config` for a
logging config file, `dotenv` for `--config ENV`, `packaging` for `--about`. `install()`, called before
anything imports the SDK:

- registers `singer_sdk` as its package without running its `__init__`; a submodule imports as usual, and
  the first use of a name the `__init__` defines (`from singer_sdk import Target`) runs it then;
- imports the SDK modules a tap run needs while stand-ins answer for those packages: a stand-in module
  imports the real one when an attribute is first read, a stand-in function when it is first called (the
  jsonpath one also puts the real names where the stand-ins were); anything importing those packages
  afterwards gets the real ones;
- does that with the garbage collector paused, then freezes what the imports made (`gc.freeze`): module
  objects live as long as the process, and collecting through them again, at every collection and at
  exit, was a tenth of the start-up.

Nothing is left out: every name resolves to the SDK's own object when used. When the SDK is already
imported (e.g. another plugin in the same process), `install()` changes nothing.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.machinery import ModuleSpec

SDK = "singer_sdk"
# What a tap run needs of the SDK, imported in one go beside the stand-ins.
SDK_MODULES = ("singer_sdk.streams", "singer_sdk.tap_base", "singer_sdk.pagination")
JSONPATH_HELPERS = "singer_sdk.helpers.jsonpath"


def install() -> None:
    """Register the lazy pieces (see the module's docstring); a no-op once the SDK is imported."""
    if SDK in sys.modules:
        return
    spec = importlib.util.find_spec(SDK)
    if spec is None or spec.loader is None:  # pragma: no cover (a dependency of this package)
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        sys.modules[SDK] = _package_without_init(spec)
        _import_beside_stand_ins(SDK_MODULES, _stand_ins())
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _stand_ins() -> dict[str, types.ModuleType]:
    """Stand-ins for the packages the SDK imports at the top of a module but a tap run does not use."""
    stand_ins = {
        "backoff": _module_on_first_use("backoff"),  # `import backoff` (streams/rest.py)
        "inflection": _module_on_first_use("inflection"),  # `import inflection` (helpers/_flattening.py)
        "upath": _names("upath", UPath=_on_first_call("upath", "UPath")),
        "importlib_metadata": _names(
            "importlib_metadata", entry_points=_on_first_call("importlib_metadata", "entry_points")
        ),
        # `from jsonpath_ng import Child, Slice` and `from jsonpath_ng.ext import parse`: `Child` and
        # `Slice` are only compared with what `parse` returned, and the first `parse` puts the real three
        # in their place.
        "jsonpath_ng": _names("jsonpath_ng", Child=_Unparsed, Slice=_Unparsed),
        "jsonpath_ng.ext": _names("jsonpath_ng.ext", parse=_first_jsonpath_parse),
        # `import logging.config` (singer_sdk/_logging.py), read only for a logging config file.
        "logging.config": _module_on_first_use("logging.config"),
        # `from dotenv import find_dotenv`, `from dotenv.main import DotEnv`: only for `--config ENV`.
        "dotenv": _names("dotenv", find_dotenv=_deferred_find_dotenv()),
        "dotenv.main": _names("dotenv.main", DotEnv=_on_first_call("dotenv.main", "DotEnv")),
        # `from packaging.specifiers import SpecifierSet`, `from packaging.version import Version`
        # (singer_sdk/about.py): only called, for `--about`.
        "packaging": _names("packaging"),
        "packaging.specifiers": _names(
            "packaging.specifiers", SpecifierSet=_on_first_call("packaging.specifiers", "SpecifierSet")
        ),
        "packaging.version": _names(
            "packaging.version", Version=_on_first_call("packaging.version", "Version")
        ),
    }
    return {name: module for name, module in stand_ins.items() if name not in sys.modules}


class _Unparsed:
    """Stands for a jsonpath_ng class until the first expression is parsed; nothing is an instance of it."""


def _first_jsonpath_parse(expression: str) -> Any:  # noqa: ANN401 (jsonpath_ng's JSONPath)
    from jsonpath_ng import Child, Slice  # noqa: PLC0415 (the point: only when a path is parsed)

    parse = importlib.import_module("jsonpath_ng.ext").parse

    helpers = sys.modules[JSONPATH_HELPERS]
    helpers.Child, helpers.Slice, helpers.parse = Child, Slice, parse  # type: ignore[attr-defined]
    return parse(expression)


# `find_dotenv()` searches upwards from the file of the function that called it, skipping frames of files
# that do not exist: compiled under a name that is no file, this stand-in's frame is skipped, so the search
# starts from the SDK module that called it, exactly as without the stand-in.
_FIND_DOTENV = """
def find_dotenv(*args, **kwargs):
    from dotenv import find_dotenv as real
    return real(*args, **kwargs)
"""


def _deferred_find_dotenv() -> Callable[..., str]:
    namespace: dict[str, Any] = {}
    exec(compile(_FIND_DOTENV, "<lean_imports: dotenv.find_dotenv>", "exec"), namespace)  # noqa: S102
    find: Callable[..., str] = namespace["find_dotenv"]
    return find


def _package_without_init(spec: ModuleSpec) -> types.ModuleType:
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader
    name = spec.name

    def __getattr__(attribute: str) -> Any:  # noqa: ANN401, N807 (a module's attribute hook)
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if importlib.util.find_spec(f"{name}.{attribute}") is not None:
            return importlib.import_module(f"{name}.{attribute}")
        # A name the package's `__init__` defines: run it now (it replaces this hook with its own).
        del package.__dict__["__getattr__"]
        if loader is not None:
            loader.exec_module(package)
        return getattr(package, attribute)

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    return package


def _names(name: str, **attributes: object) -> types.ModuleType:
    stand_in = types.ModuleType(name)
    stand_in.__dict__.update(attributes)
    return stand_in


def _on_first_call(module: str, attribute: str) -> Callable[..., Any]:
    """A function that imports `module` when called and passes the call to its `attribute`."""

    def call_through(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 (the real function's signature)
        real: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
        return real(*args, **kwargs)

    call_through.__name__ = call_through.__qualname__ = attribute
    return call_through


def _module_on_first_use(name: str) -> types.ModuleType:
    """A stand-in whose attributes are the real module's, imported when the first one is read."""
    stand_in = types.ModuleType(name)

    def __getattr__(attribute: str) -> Any:  # noqa: ANN401, N807 (a module's attribute hook)
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(importlib.import_module(name), attribute)

    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    return stand_in


def _import_beside_stand_ins(modules: tuple[str, ...], stand_ins: dict[str, types.ModuleType]) -> None:
    """Import `modules` while `stand_ins` answer for those packages; then the real ones are back."""
    sys.modules.update(stand_ins)
    _attach_to_parents(stand_ins)
    try:
        for module in modules:
            importlib.import_module(module)
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def _attach_to_parents(stand_ins: dict[str, types.ModuleType]) -> None:
    """Make `parent.child` name each stand-in of a submodule (`import logging.config` binds `logging`).

    The stand-in stays there after the imports: importing the real submodule later puts it in its place.
    """
    for name, stand_in in stand_ins.items():
        parent_name, _, child = name.rpartition(".")
        if parent_name:
            parent = sys.modules.get(parent_name) or importlib.import_module(parent_name)
            if not hasattr(parent, child):
                setattr(parent, child, stand_in)
