"""The Keras half of tests/keras/keras.test.ts: exported sessions into Keras 3, and weights back.

    python3 python/test_keras_parity.py cases.json

`cases.json` (written by the vitest test) lists `parity` cases (a session zip, a network, an
input and the app's prediction, as raw float32 files) and `back` sessions. For each parity case
this reports the largest absolute difference between Keras' and the app's prediction. For each
back session it changes every network's weights in Keras, predicts, and writes the session twice:
with `save_for_app`, and in the layout `tensorflowjs_converter --input_format=keras` writes
(Keras' own HDF5 config and weight names), for the app to import. `refuse` cases must fail to
load (bilinear upsampling). The last line of output is one JSON object.
"""

import json
import os
import sys
import tempfile
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import h5py  # noqa: E402  (Keras' legacy HDF5 writer needs it; so does the converter layout)
import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import playground_keras as pk  # noqa: E402


def read_f32(path, shape):
    """A float32 array from a raw little-endian file."""
    return np.fromfile(path, "<f4").reshape(shape)


def predict(model, x):
    """The model's inference-mode output as float32 numpy."""
    return np.asarray(keras.ops.convert_to_numpy(model(x, training=False)), np.float32)


def change_weights(model, seed):
    """Scales every weight by a random factor exp(0.2 N(0, 1)), positive so variances stay so."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        values = layer.get_weights()
        if values:
            factors = [np.exp(0.2 * rng.standard_normal(w.shape)).astype(w.dtype) for w in values]
            layer.set_weights([w * f for w, f in zip(values, factors)])


def converter_layout(model, template_zip, out_zip, network):
    """Writes `template_zip` with `network` as tensorflowjs_converter converts a Keras HDF5 file."""
    with tempfile.TemporaryDirectory() as tmp:
        h5_path = os.path.join(tmp, "model.h5")
        model.save(h5_path)
        with h5py.File(h5_path, "r") as f:
            topology = {
                "keras_version": str(f.attrs["keras_version"]),
                "backend": str(f.attrs["backend"]),
                "model_config": json.loads(f.attrs["model_config"]),
            }
            specs, parts = [], []

            def walk(group):
                if "weight_names" in group.attrs:
                    for name in group.attrs["weight_names"]:
                        name = name.decode() if isinstance(name, bytes) else str(name)
                        value = np.asarray(group[name], "<f4")
                        name, shape = name.removesuffix(":0"), list(value.shape)
                        specs.append({"name": name, "shape": shape, "dtype": "float32"})
                        parts.append(value.tobytes())
                else:
                    for key in group:
                        walk(group[key])

            for layer_name in f["model_weights"]:
                walk(f["model_weights"][layer_name])
    model_json = {
        "format": "layers-model",
        "generatedBy": f"keras v{keras.__version__}",
        "convertedBy": "TensorFlow.js Converter layout (python/test_keras_parity.py)",
        "modelTopology": topology,
        "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": specs}],
    }
    with zipfile.ZipFile(template_zip) as z:
        files = {n: z.read(n) for n in z.namelist() if not n.startswith(f"{network}/")}
    files[f"{network}/model.json"] = json.dumps(model_json).encode()
    files[f"{network}/group1-shard1of1.bin"] = b"".join(parts)
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)


def main(cases_path):
    """Runs every case of `cases_path` and prints the JSON summary."""
    with open(cases_path) as f:
        cases = json.load(f)
    out_dir = os.path.dirname(os.path.abspath(cases_path))
    parity = []
    for case in cases["parity"]:
        model = pk.load_network(case["zip"], case["network"])
        got = predict(model, read_f32(case["input"], case["shape"]))
        want = read_f32(case["expected"], got.shape)
        diff = float(np.max(np.abs(got - want)))
        parity.append({"id": case["id"], "network": case["network"], "maxAbsDiff": diff})
    back = []
    for k, session in enumerate(cases["back"]):
        app_zip = os.path.join(out_dir, f"{session['id']}-from-keras.zip")
        converter_zip = os.path.join(out_dir, f"{session['id']}-converter.zip")
        app_template, converter_template = session["zip"], session["zip"]
        networks = []
        for n, net in enumerate(session["networks"]):
            model = pk.load_network(session["zip"], net["network"])
            x = read_f32(net["input"], net["shape"])
            before = predict(model, x)
            change_weights(model, 1000 * k + n)
            after = predict(model, x)
            expected = os.path.join(out_dir, f"{session['id']}-{net['network']}-keras.f32")
            after.astype("<f4").tofile(expected)
            pk.save_for_app(model, app_template, app_zip, net["network"])
            converter_layout(model, converter_template, converter_zip, net["network"])
            app_template, converter_template = app_zip, converter_zip
            changed = float(np.max(np.abs(after - before)))
            networks.append({"network": net["network"], "expected": expected, "changed": changed})
        zips = {"appZip": app_zip, "converterZip": converter_zip}
        back.append({"id": session["id"], **zips, "networks": networks})
    refused = []
    for case in cases.get("refuse", []):
        try:
            pk.load_network(case["zip"], case["network"])
            refused.append({"id": case["id"], "error": None})
        except ValueError as err:
            refused.append({"id": case["id"], "error": str(err)})
    versions = {"keras": keras.__version__, "backend": keras.backend.backend()}
    print(json.dumps({**versions, "parity": parity, "back": back, "refused": refused}))


if __name__ == "__main__":
    main(sys.argv[1])
