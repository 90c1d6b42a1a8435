#!/usr/bin/env python3
"""Writes the costliest model to explain that `pad`'s parser accepts, and one row for it.

    python3 bench/make_worst_model.py OUT_DIR [DEPTH SUBTREE]

The model's one tree is a chain of 991 splits ending in a complete subtree 9 deep: 512 leaves
at depth 1,000 (the depth limit) with 64 distinct features on each path (the limit; level i
splits on feature i mod 64), and a TreeSHAP work of
sum(d^2) = 991*992*1983/6 + 512 * 1000^2 = 836,905,296, 78 % of the limit 2^30.
Then: pad explain --model OUT_DIR/worst.model.txt --data OUT_DIR/worst.csv --timing
(optional arguments DEPTH SUBTREE set the depth and the complete subtree's depth, for other
shapes: `64 16` gives 65,536 leaves with 64 distinct features each).
"""
import os
import sys

SUBTREE = int(sys.argv[3]) if len(sys.argv) > 3 else 9
CHAIN = int(sys.argv[2]) - SUBTREE if len(sys.argv) > 2 else 991
DEPTH = CHAIN + SUBTREE
FEATURES = 64
out = sys.argv[1]
os.makedirs(out, exist_ok=True)

n_sub = 2**SUBTREE - 1  # internal nodes of the subtree, numbered CHAIN + m breadth first
n_internal = CHAIN + n_sub
n_leaves = n_internal + 1
split_feature, left, right, internal_count = [], [], [], []
for i in range(CHAIN):  # node i: leaf i on the left, node i + 1 on the right
    split_feature.append(i % FEATURES)
    left.append(-(i + 1))
    right.append(i + 1)
    internal_count.append(n_leaves - i)
for m in range(n_sub):
    level = (m + 1).bit_length() - 1
    split_feature.append((CHAIN + level) % FEATURES)
    below = 2 ** (SUBTREE - level)
    internal_count.append(below)
    for child, side in ((2 * m + 1, left), (2 * m + 2, right)):
        if child < n_sub:
            side.append(CHAIN + child)
        else:
            side.append(-(CHAIN + (child - n_sub) + 1))
leaf_value = [((leaf * 7919) % 200 - 100) / 1000 for leaf in range(n_leaves)]


def line(key, values):
    return f"{key}={' '.join(str(v) for v in values)}\n"


names = [f"f{i}" for i in range(FEATURES)]
with open(os.path.join(out, "worst.model.txt"), "w") as model:
    model.write("tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\n")
    model.write(f"max_feature_idx={FEATURES - 1}\nobjective=binary sigmoid:1\n")
    model.write(line("feature_names", names))
    model.write(line("feature_infos", ["[-1:1]"] * FEATURES))
    model.write(f"\nTree=0\nnum_leaves={n_leaves}\nnum_cat=0\n")
    model.write(line("split_feature", split_feature))
    model.write(line("threshold", [0] * n_internal))
    model.write(line("decision_type", [2] * n_internal))
    model.write(line("left_child", left))
    model.write(line("right_child", right))
    model.write(line("leaf_value", leaf_value))
    model.write(line("leaf_count", [1] * n_leaves))
    model.write(line("internal_count", internal_count))
    model.write("shrinkage=1\n\n\nend of trees\n\nparameters:\n[boosting: gbdt]\nend of parameters\n\npandas_categorical:null\n")
with open(os.path.join(out, "worst.csv"), "w") as data:
    data.write(",".join(names) + "\n")
    data.write(",".join("0.5" if i % 2 else "-0.5" for i in range(FEATURES)) + "\n")
