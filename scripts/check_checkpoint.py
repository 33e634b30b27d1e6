#!/usr/bin/env python3
"""Load a Quarry checkpoint with the reference safetensors reader and print what it holds.

Usage: python3 scripts/check_checkpoint.py CHECKPOINT.safetensors
Requires: pip install safetensors numpy

Prints the metadata, then one line per tensor: name, dtype, shape, sum (float64) and L2 norm.
Model tensors use PyTorch state-dict names; optimiser state is under "optimizer.<kind>.<name>".
Exits non-zero if the reference reader rejects the file.
"""
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def main(path: str) -> int:
    tensors = load_file(path)
    with safe_open(path, framework="numpy") as handle:
        metadata = handle.metadata() or {}
    print(f"{path}: {len(tensors)} tensors")
    for key in sorted(metadata):
        print(f"  metadata {key} = {metadata[key]!r}")
    for name in sorted(tensors):
        value = tensors[name]
        as64 = value.astype(np.float64)
        print(f"  {name:50s} {str(value.dtype):8s} {str(list(value.shape)):18s} "
              f"sum {as64.sum(): .9g}  norm {np.sqrt((as64 ** 2).sum()):.9g}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
