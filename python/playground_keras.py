"""Take a network of an exported playground session into Keras 3, and Keras weights back.

    import playground_keras as pk
    model = pk.load_network("my-session.zip", "generator")   # a keras.Model
    ...train it in Keras...
    pk.save_for_app(model, "my-session.zip", "from-keras.zip")  # then Import session in the app

Networks: "model" (char-LSTM), "generator" and "discriminator" (DCGAN), "segmenter" and
"classifier" (segmenter). Only public Keras 3 APIs are used, so any backend works.
"""

import inspect
import io
import json
import zipfile

import numpy as np
import keras

NETWORKS = ("model", "generator", "discriminator", "segmenter", "classifier")
LAYER_CLASSES = (
    "InputLayer", "Dense", "LSTM", "Conv2D", "Conv2DTranspose", "BatchNormalization",
    "LeakyReLU", "ReLU", "Reshape", "Flatten", "Dropout", "UpSampling2D", "MaxPooling2D",
    "GlobalAveragePooling2D", "Concatenate",
)
# Layer arguments every Keras layer takes besides those of its own constructor.
_BASE_ARGS = {"name", "trainable", "dtype"}
# tfjs options with no Keras 3 counterpart that change no result: the LSTM kernel variant, and
# the input shape, which becomes a keras.Input.
_IGNORED = {"implementation", "batch_input_shape"}


def _read_zip(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _network_files(files, network):
    """The parsed model.json of `network` and its weights as {name: float32 array}."""
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {', '.join(NETWORKS)}, not {network!r}")
    path = f"{network}/model.json"
    if path not in files:
        have = sorted({n.split("/")[0] for n in files if n.endswith("/model.json")})
        raise ValueError(f"the session has no {path}; its networks are {', '.join(have)}")
    model_json = json.loads(files[path])
    values = {}
    for group in model_json["weightsManifest"]:
        data = b"".join(files[f"{network}/{p}"] for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if spec["dtype"] != "float32":
                raise ValueError(f"the weight {spec['name']} is {spec['dtype']}, not float32")
            count = int(np.prod(spec["shape"], dtype=np.int64))
            flat = np.frombuffer(data, "<f4", count, offset)
            values[spec["name"]] = flat.reshape(spec["shape"]).astype(np.float32)
            offset += 4 * count
    return model_json, values


def _topology(model_json):
    topology = model_json["modelTopology"]
    # tensorflowjs_converter output wraps the Keras config.
    return topology.get("model_config", topology)


class TfjsBilinearUpSampling2D(keras.layers.Layer):
    """UpSampling2D(2, 'bilinear') on tfjs' pixel grid (TF1's align_corners=False without
    half-pixel centres), which Keras' own bilinear UpSampling2D does not share: output row 2k is
    input row k, row 2k + 1 the mean of rows k and k + 1 (the last row repeated)."""

    def _double(self, x, axis):
        n = x.shape[axis]
        following = keras.ops.concatenate(
            [keras.ops.take(x, list(range(1, n)), axis=axis), keras.ops.take(x, [n - 1], axis=axis)],
            axis=axis,
        )
        pairs = keras.ops.stack([x, 0.5 * (x + following)], axis=axis + 1)
        shape = list(x.shape)
        shape[axis] = 2 * n
        return keras.ops.reshape(pairs, [-1] + shape[1:])

    def call(self, x):
        return self._double(self._double(x, 1), 2)

    def compute_output_shape(self, shape):
        return (shape[0], 2 * shape[1], 2 * shape[2], shape[3])


def _make_layer(layer_json):
    """A Keras layer from one tfjs layer entry (a fresh layer, weights unset)."""
    kind = layer_json["class_name"]
    config = dict(layer_json["config"])
    if kind not in LAYER_CLASSES:
        raise ValueError(f"layer {config.get('name')} is a {kind}; playground models have none")
    if kind == "UpSampling2D" and config.get("interpolation") == "bilinear":
        if tuple(config.get("size", (2, 2))) != (2, 2):
            raise ValueError(f"layer {config['name']} upsamples bilinearly by other than 2x2")
        return TfjsBilinearUpSampling2D(name=config["name"])
    if kind == "LeakyReLU" and "alpha" in config:
        config["negative_slope"] = config.pop("alpha")
    for key, value in list(config.items()):
        if key.endswith(("_regularizer", "_constraint")) and value is not None:
            raise ValueError(f"layer {config['name']} has a {key}; this helper carries none over")
    if isinstance(config.get("dtype"), dict):
        config["dtype"] = config["dtype"].get("config", {}).get("name", "float32")
    cls = getattr(keras.layers, kind)
    # Initializers are dropped: the weights are set from the file right after building.
    kept = {k: v for k, v in config.items() if k not in _IGNORED and not k.endswith("_initializer")}
    unknown = sorted(set(kept) - set(inspect.signature(cls.__init__).parameters) - _BASE_ARGS)
    if unknown:
        raise ValueError(f"layer {config['name']} has options Keras' {kind} lacks: {unknown}")
    return cls(**kept)


def _build(topology):
    kind = topology["class_name"]
    config = topology["config"]
    # Old tfjs Sequential topologies hold the layer list as the config itself.
    layers = config["layers"] if isinstance(config, dict) else config
    name = config.get("name") if isinstance(config, dict) else None
    if kind == "Sequential":
        shape = layers[0]["config"]["batch_input_shape"]
        made = [_make_layer(l) for l in layers if l["class_name"] != "InputLayer"]
        return keras.Sequential([keras.Input(batch_shape=tuple(shape)), *made], name=name)
    outputs = {}
    pending = list(layers)
    while pending:
        waiting = []
        for layer in pending:
            sources = [node[0] for node in (layer.get("inbound_nodes") or [[]])[0]]
            if any(s not in outputs for s in sources):
                waiting.append(layer)
            elif layer["class_name"] == "InputLayer":
                shape = tuple(layer["config"]["batch_input_shape"])
                outputs[layer["name"]] = keras.Input(batch_shape=shape, name=layer["name"])
            else:
                args = [outputs[s] for s in sources]
                outputs[layer["name"]] = _make_layer(layer)(args if len(args) > 1 else args[0])
        if len(waiting) == len(pending):
            raise ValueError("the model's layers are not connected in order")
        pending = waiting
    ins = [outputs[entry[0]] for entry in config["input_layers"]]
    outs = [outputs[entry[0]] for entry in config["output_layers"]]
    one = lambda tensors: tensors if len(tensors) > 1 else tensors[0]  # noqa: E731
    return keras.Model(one(ins), one(outs), name=name)


def _keras_name(layer, weight):
    return f"{layer.name}/{weight.name}"


def load_network(zip_path, network="model"):
    """Returns `network` of the session zip at `zip_path` as a Keras 3 model holding its weights."""
    model_json, values = _network_files(_read_zip(zip_path), network)
    model = _build(_topology(model_json))
    used = set()
    for layer in model.layers:
        if not layer.weights:
            continue
        names = [_keras_name(layer, w) for w in layer.weights]
        missing = [n for n in names if n not in values]
        if missing:
            raise ValueError(f"{network}/model.json has no weight {missing[0]}")
        layer.set_weights([values[n] for n in names])
        used.update(names)
    extra = sorted(set(values) - used)
    if extra:
        raise ValueError(f"{network}/model.json has weights no layer takes: {', '.join(extra)}")
    return model


def _pick_network(files, model, network):
    have = [n for n in NETWORKS if f"{n}/model.json" in files]
    if network is None:
        network = model.name if model.name in have else (have[0] if len(have) == 1 else None)
    if network not in have:
        raise ValueError(f"say which network the model replaces: network=one of {', '.join(have)}")
    return network


def _weights_by_app_name(model, template_json):
    """The model's weights under the template's names: by layer name, else by layer order."""
    specs = [s for g in template_json["weightsManifest"] for s in g["weights"]]
    mine = {_keras_name(l, w): w for l in model.layers for w in l.weights}
    if all(s["name"] in mine for s in specs):
        return {s["name"]: _numpy(mine[s["name"]]) for s in specs}
    owners = {s["name"].rsplit("/", 1)[0] for s in specs}
    config = _topology(template_json)["config"]
    app_layers = [
        entry["config"]["name"]
        for entry in (config["layers"] if isinstance(config, dict) else config)
        if entry["config"]["name"] in owners
    ]
    layers = [layer for layer in model.layers if layer.weights]
    if len(layers) != len(app_layers):
        raise ValueError(
            f"the model's layer names differ from the app's and it has {len(layers)} layers "
            f"with weights; the app's network has {len(app_layers)}"
        )
    out = {}
    for app_layer, layer in zip(app_layers, layers):
        weights = {w.name: w for w in layer.weights}
        for s in (s for s in specs if s["name"].rsplit("/", 1)[0] == app_layer):
            w = weights.get(s["name"].rsplit("/", 1)[1])
            if w is None or tuple(w.shape) != tuple(s["shape"]):
                raise ValueError(f"layer {layer.name} has no weight like {s['name']} {s['shape']}")
            out[s["name"]] = _numpy(w)
    return out


def _numpy(variable):
    return np.asarray(keras.ops.convert_to_numpy(variable))


def save_for_app(model, template_zip, out_zip, network=None):
    """Writes `out_zip`: the session `template_zip` with `network`'s weights taken from `model`.

    The network defaults to the one named like the model (as `load_network` names them) or the
    template's only one. The optimizer state is left out, so the app resumes with a fresh optimizer.
    """
    files = _read_zip(template_zip)
    network = _pick_network(files, model, network)
    template_json = json.loads(files[f"{network}/model.json"])
    values = _weights_by_app_name(model, template_json)
    specs, parts = [], []
    for group in template_json["weightsManifest"]:
        for s in group["weights"]:
            value = values[s["name"]].astype("<f4")
            if list(value.shape) != list(s["shape"]):
                raise ValueError(f"{s['name']} is {list(value.shape)}; the app needs {s['shape']}")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{s['name']} holds NaN or infinite values")
            specs.append({"name": s["name"], "shape": s["shape"], "dtype": "float32"})
            parts.append(value.tobytes())
    template_json["weightsManifest"] = [{"paths": ["weights.bin"], "weights": specs}]
    template_json["generatedBy"] = f"python/playground_keras.py (Keras {keras.__version__})"
    out = {n: b for n, b in files.items() if not n.startswith((f"{network}/", "optimizers/"))}
    out[f"{network}/model.json"] = json.dumps(template_json).encode()
    out[f"{network}/weights.bin"] = b"".join(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in out.items():
            z.writestr(name, data)
    with open(out_zip, "wb") as f:
        f.write(buffer.getvalue())
