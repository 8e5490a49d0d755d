"""Keras 3 adapter: a run's batches as a ``keras.utils.PyDataset`` for ``model.fit`` on any backend,
and augstore pipeline specs from a model's preprocessing layers.

    train = augstore.keras.dataset(run, epochs=range(3), batch_size=64)
    model.fit(train, epochs=3)          # epoch i of fit trains on recorded epoch epochs[i]

    spec = augstore.keras.pipeline_spec(model)   # its leading preprocessing layers, as augstore JSON
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Iterable, Optional

import keras

from .loader import Batch, Epochs, Feed, Run, batch_count, check_plan, normalize_epochs


class RunDataset(keras.utils.PyDataset):
    """A ``PyDataset`` over a run's recorded epochs, as ``(images, labels)`` batches (this rank's
    slice of each global batch).

    ``model.fit(dataset, epochs=len(dataset.epochs))`` trains fit's epoch ``j`` on recorded epoch
    ``dataset.epochs[j]``, step ``k`` on global batch ``k``: within an epoch that Keras began
    (``on_epoch_begin``), the ``k``-th item requested is global batch ``k`` whatever index Keras
    asks for, and an epoch whose batches were all served moves on to the next recorded epoch. ``fit(shuffle=True)``, Keras' default, shuffles a ``PyDataset``'s batch indexes, but
    the run's order is already the shuffle, and the point is that the model sees exactly it. Items
    requested outside an epoch (Keras peeks at one to build the model; your own ``dataset[i]``)
    are batch ``i`` of the current epoch. The next batches stay requested from the engine, so they
    render while the model trains.
    """

    def __init__(self, run: Run, epochs: Epochs, batch_size: int, rank: int = 0, world_size: int = 1,
                 drop_last: bool = False, cache: bool = False, prefetch: int = 4,
                 jobs: Optional[int] = None, on_batch: Optional[Callable[[Batch], Any]] = None) -> None:
        super().__init__(workers=1, use_multiprocessing=False)
        check_plan(batch_size, rank, world_size)
        self.run = run
        self.epochs = normalize_epochs(epochs)
        self.batches_per_epoch = batch_count(run.samples, int(batch_size), drop_last)
        #: Called with every ``augstore.Batch`` just before it is handed to Keras.
        self.on_batch = on_batch
        self._epoch_index = 0
        self._within = False
        self._served = 0
        self._feed = Feed(run, batch_size, rank=rank, world_size=world_size, drop_last=drop_last,
                          cache=cache, prefetch=prefetch, jobs=jobs)

    @property
    def epoch(self) -> int:
        """The recorded epoch that items come from now."""
        return self.epochs[min(self._epoch_index, len(self.epochs) - 1)]

    def __len__(self) -> int:
        return self.batches_per_epoch

    def __getitem__(self, index: int):
        if self._epoch_index >= len(self.epochs):
            raise IndexError(
                f"run {self.run.name!r}: the dataset covers epochs {self.epochs}; "
                "fit asked for more epochs than that")
        if self._within:
            index, self._served = self._served, self._served + 1
        if not 0 <= index < self.batches_per_epoch:
            raise IndexError(f"batch {index} out of range 0..{self.batches_per_epoch - 1}")
        position = self._epoch_index
        # The next `prefetch` batches, into the next recorded epoch if this one ends first.
        count = self._feed.prefetch
        ahead = [(self.epoch, later) for later in range(index + 1, min(index + 1 + count, self.batches_per_epoch))]
        if position + 1 < len(self.epochs):
            ahead += [(self.epochs[position + 1], later) for later in range(min(count - len(ahead), self.batches_per_epoch))]
        batch = self._feed.get((self.epoch, int(index)), ahead)
        if self.on_batch is not None:
            self.on_batch(batch)
        return batch.images, batch.labels

    def on_epoch_begin(self) -> None:
        self._within = True
        self._served = 0

    def on_epoch_end(self) -> None:
        # Keras also begins and ends an epoch around the one batch it peeks at to build the model:
        # only an epoch whose batches were all served moves on to the next recorded epoch.
        if self._within and self._served >= self.batches_per_epoch:
            self._epoch_index += 1
        self._within = False
        self._served = 0

    def close(self) -> None:
        """Ends the engine (it also ends when the dataset is garbage-collected)."""
        self._feed.close()


def dataset(run: Run, epochs: Epochs, batch_size: int, **kwargs) -> RunDataset:
    """A ``keras.utils.PyDataset`` of ``run``'s batches over ``epochs`` (see ``RunDataset``)."""
    return RunDataset(run, epochs, batch_size, **kwargs)


#: Keras 3 image preprocessing layers (keras.layers), whether augstore converts them or not.
PREPROCESSING_LAYERS = frozenset({
    "AutoContrast", "CenterCrop", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix",
    "Equalization", "MaxNumBoundingBoxes", "MixUp", "Normalization", "Pipeline", "RandAugment",
    "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomCrop",
    "RandomElasticTransform", "RandomErasing", "RandomFlip", "RandomGaussianBlur", "RandomGrayscale",
    "RandomHue", "RandomInvert", "RandomPerspective", "RandomPosterization", "RandomRotation",
    "RandomSaturation", "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom",
    "Rescaling", "Resizing", "Solarization", "AugMix",
})

# augstore's arguments per layer (Keras 3 names); other config keys must be ignorable or default.
_ARGUMENTS = {
    "RandomFlip": ["mode"],
    "RandomRotation": ["factor", "fill_mode", "interpolation", "fill_value"],
    "RandomZoom": ["height_factor", "width_factor", "fill_mode", "interpolation", "fill_value"],
    "RandomTranslation": ["height_factor", "width_factor", "fill_mode", "interpolation", "fill_value"],
    "RandomShear": ["x_factor", "y_factor", "interpolation", "fill_mode", "fill_value"],
    "RandomGaussianBlur": ["factor", "kernel_size", "sigma", "value_range"],
    "RandomPerspective": ["factor", "scale", "interpolation", "fill_value"],
    "RandomElasticTransform": ["factor", "scale", "interpolation", "fill_mode", "fill_value", "value_range"],
    "RandomCrop": ["height", "width"],
    "CenterCrop": ["height", "width"],
    "Resizing": ["height", "width", "interpolation"],
    "RandomBrightness": ["factor", "value_range"],
    "RandomContrast": ["factor", "value_range"],
    "RandomSaturation": ["factor", "value_range"],
    "RandomHue": ["factor", "value_range"],
    "RandomGrayscale": ["factor"],
    "RandomErasing": ["factor", "scale", "fill_value", "value_range"],
    "RandomInvert": ["factor", "value_range"],
    "Solarization": ["addition_factor", "threshold_factor", "value_range"],
    "RandomPosterization": ["factor", "value_range"],
    "RandomColorDegeneration": ["factor", "value_range"],
    "AutoContrast": ["value_range"],
    "Equalization": ["value_range", "bins"],
    "ContrastLimitedAdaptiveHistogramEqualization": ["value_range", "clip_limit", "tile_grid_size"],
    "RandomSharpness": ["factor", "value_range"],
    "RandomColorJitter": ["value_range", "brightness_factor", "contrast_factor", "saturation_factor", "hue_factor"],
    "RandAugment": ["value_range", "num_ops", "factor", "interpolation"],
    "AugMix": ["value_range", "num_chains", "chain_depth", "factor", "alpha", "all_ops", "interpolation"],
    "Rescaling": ["scale", "offset"],
    "Normalization": ["mean", "variance"],
    "MixUp": ["alpha"],
    "CutMix": ["factor"],
}
# Config keys that do not change the pixels (or are checked separately).
_IGNORED = {"name", "trainable", "dtype", "seed", "data_format", "autocast"}
# Config keys augstore does not take, accepted only at these (Keras' default) values.
_DEFAULTS_ONLY = {
    "Resizing": {"crop_to_aspect_ratio": False, "pad_to_aspect_ratio": False, "antialias": False,
                 "fill_mode": "constant", "fill_value": 0.0},
    "Normalization": {"invert": False, "axis": (-1,)},
}
# Factors augstore takes in [0, 1] only.
_NON_NEGATIVE_FACTORS = {"RandomHue", "RandomContrast", "RandomGrayscale"}


class ConversionError(ValueError):
    """Layers that cannot become an augstore pipeline; ``problems`` lists (layer, class, reason)."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        listed = "; ".join(f"layer {name!r} ({kind}): {reason}" for name, kind, reason in problems)
        super().__init__(f"cannot convert {len(problems)} layer(s) to an augstore pipeline: {listed}")


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _same(value: Any, default: Any) -> bool:
    if isinstance(default, tuple):
        value = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    return value == default


def convert_layer(layer: Any) -> tuple:
    """One Keras layer (or its ``get_config()`` with a ``class_name``) as an augstore transform.

    Returns ``(transform_dict, None)`` or ``(None, reason)``.
    """
    kind = type(layer).__name__
    config = layer.get_config()
    if kind not in _ARGUMENTS:
        if kind in PREPROCESSING_LAYERS:
            return None, f"augstore has no {kind} transform yet"
        return None, "not an image preprocessing layer"
    if config.get("data_format", "channels_last") not in (None, "channels_last"):
        return None, f"data_format={config['data_format']!r}: augstore reads channels_last images"
    transform = {"type": kind}
    for key, value in config.items():
        if key in _IGNORED:
            continue
        if key in _ARGUMENTS[kind]:
            value = _plain(value)
            if value is None and key not in ("fill_value", "width_factor"):
                if kind == "Normalization":
                    return None, (f"{key} is None: an adapted Normalization keeps it in its weights; "
                                  "build the layer with mean= and variance=")
                continue
            if value is None:
                if key == "width_factor" or kind == "RandomErasing":
                    transform[key] = None
                continue
            if kind == "Normalization" and isinstance(value, numbers.Number):
                value = [value]
            if kind == "Rescaling" and isinstance(value, list):
                return None, f"{key}={value}: augstore's Rescaling takes one number"
            if key == "factor" and kind in _NON_NEGATIVE_FACTORS:
                low = value[0] if isinstance(value, list) else value
                if isinstance(low, numbers.Number) and low < 0:
                    return None, (f"factor {value}: Keras stores a negative lower bound here; augstore's "
                                  f"{kind} takes factors in [0, 1]")
            transform[key] = value
        elif kind in _DEFAULTS_ONLY and key in _DEFAULTS_ONLY[kind]:
            if not _same(value, _DEFAULTS_ONLY[kind][key]):
                return None, f"{key}={value!r} is not supported (only {_DEFAULTS_ONLY[kind][key]!r})"
        else:
            return None, f"argument {key}={value!r} is not supported"
    return transform, None


def _flatten(layers: Iterable[Any]) -> list:
    flat = []
    for layer in layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if kind in ("Sequential", "Pipeline"):
            inner = list(getattr(layer, "layers", []))
            if inner and all(type(item).__name__ in PREPROCESSING_LAYERS or
                             type(item).__name__ in ("Sequential", "Pipeline") for item in inner):
                flat.extend(_flatten(inner))
                continue
        flat.append(layer)
    return flat


def preprocessing_layers(model_or_layers: Any) -> list:
    """The layers a spec is made of: all of a list, or a model's leading preprocessing layers."""
    if isinstance(model_or_layers, (list, tuple)):
        return _flatten(model_or_layers)
    layers = _flatten(getattr(model_or_layers, "layers", [model_or_layers]))
    leading = []
    for layer in layers:
        if type(layer).__name__ not in PREPROCESSING_LAYERS:
            break
        leading.append(layer)
    return leading


def pipeline_spec(model_or_layers: Any, original_probability: float = 0.0) -> dict:
    """An augstore pipeline spec (a dict, ``json.dump`` it for ``augstore pipeline add``) from a
    Keras model's leading preprocessing layers (a ``Sequential`` of them, or the first layers of a
    model) or from a list of layers.

    Raises ``ConversionError`` naming every layer that cannot be converted and why.
    """
    layers = preprocessing_layers(model_or_layers)
    if not layers:
        raise ConversionError([("-", type(model_or_layers).__name__, "no preprocessing layers found")])
    transforms, problems = [], []
    for layer in layers:
        transform, reason = convert_layer(layer)
        if reason:
            problems.append((layer.name, type(layer).__name__, reason))
        else:
            transforms.append(transform)
    if problems:
        raise ConversionError(problems)
    return {"transforms": transforms, "original_probability": float(original_probability)}
