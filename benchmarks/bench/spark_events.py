"""The Spark engine in local mode, one process per size: Parquet tables to credits Parquet.

``python spark_events.py SOURCE [--master local[2]] [--buckets N]`` prints one JSON line
per stage: wall seconds, the Python driver's peak resident memory so far (VmHWM; the
Python workers and the JVM are other processes) and the JVM's own VmHWM. Stages:

1. ``session``: start Spark (JVM) in local mode;
2. ``load + check``: read the Parquet tables, contract checks as Spark aggregations;
3. ``journeys``: built and cached (counted to materialise them);
4. ``rule models (10)``: every rule model's credits, written as one Parquet table by month;
5. ``markov o1``, ``markov o3``, ``shapley``: fit from Spark sums, credits written.

A last line ``shuffle`` gives, per stage, the tasks run and the shuffle bytes written and
read, summed from Spark's event log.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from child import measure, report, vm_hwm_kb

RULES = ["first_touch", "last_touch", "linear", "time_decay", "u_shaped", "w_shaped",
         "full_path", "j_shaped", "inverse_j", "custom"]  # fmt: skip
CUSTOM = {"weights": {"first": 1.0, "lead_creation": 1.0, "close": 1.0, "rest": 1.0}}


def jvm_hwm_kb(spark: Any) -> int:
    try:
        pid = spark.sparkContext._gateway.proc.pid
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM"):
                    return int(line.split()[1])
    except (AttributeError, OSError):
        pass
    return 0


def shuffle_totals(log_dir: str) -> dict[str, dict[str, int]]:
    """Tasks and shuffle bytes per job description, from the event log."""
    stage_of: dict[int, str] = {}
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    files = glob.glob(os.path.join(log_dir, "**", "*"), recursive=True)  # v2 logs: folders
    for file in sorted(f for f in files if os.path.isfile(f)):
        with open(file) as f:
            for line in f:
                event = json.loads(line)
                kind = event.get("Event")
                if kind == "SparkListenerJobStart":
                    label = (event.get("Properties") or {}).get("spark.job.description", "?")
                    for sid in event.get("Stage IDs", []):
                        stage_of[sid] = label
                elif kind == "SparkListenerTaskEnd":
                    label = stage_of.get(event.get("Stage ID"), "?")
                    metrics = event.get("Task Metrics") or {}
                    write = metrics.get("Shuffle Write Metrics") or {}
                    read = metrics.get("Shuffle Read Metrics") or {}
                    row = out[label]
                    row["tasks"] += 1
                    row["shuffle_write_bytes"] += write.get("Shuffle Bytes Written", 0)
                    row["shuffle_read_bytes"] += read.get("Remote Bytes Read", 0) + read.get(
                        "Local Bytes Read", 0
                    )
                    row["input_bytes"] += (metrics.get("Input Metrics") or {}).get("Bytes Read", 0)
    return {k: dict(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--buckets", type=int, default=None)
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    os.environ["PYSPARK_PYTHON"] = sys.executable

    with tempfile.TemporaryDirectory(prefix="attribution-spark-bench-") as tmp:
        log_dir = os.path.join(tmp, "events")
        os.makedirs(log_dir)
        spark_box: dict[str, Any] = {}

        def stage(name: str, fn: Callable[[], Any]) -> Any:
            spark = spark_box.get("spark")
            if spark is not None:
                spark.sparkContext.setJobDescription(name)
            out, wall = measure(fn)
            spark = spark_box.get("spark")
            report(stage=name, wall=wall, rss_kb=vm_hwm_kb(), jvm_kb=jvm_hwm_kb(spark))
            return out

        def start() -> Any:
            from pyspark.sql import SparkSession

            from attribution.spark.session import SESSION_CONFIG

            builder = SparkSession.builder.master(args.master).appName("attribution-bench")
            for key, value in SESSION_CONFIG.items():
                builder = builder.config(key, value)
            builder = builder.config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
            builder = builder.config("spark.eventLog.enabled", "true")
            builder = builder.config("spark.eventLog.dir", Path(log_dir).as_uri())
            builder = builder.config("spark.eventLog.compress", "false")
            builder = builder.config("spark.driver.memory", "4g")
            spark = builder.getOrCreate()
            spark.sparkContext.setLogLevel("ERROR")
            spark_box["spark"] = spark
            return spark

        spark = stage("session", start)

        import attribution as at
        from attribution.spark import load_tables, write_credits

        def load() -> Any:
            names = ("touches", "opportunities", "contacts")
            frames = {n: spark.read.parquet(str(Path(args.source) / n)) for n in names}
            return load_tables(frames)

        tables = stage("load + check", load)

        def build() -> Any:
            j = at.journeys(tables, engine="spark").cache()
            report(stage="sizes", rows=j.count())
            return j

        j = stage("journeys", build)
        out = Path(tmp) / "credits"

        def write(name: str, models: dict[str, dict[str, Any]]) -> None:
            from pyspark.sql import functions as sf

            parts = [
                at.attribute(j, m, engine="spark", **opts).select("*", sf.lit(m).alias("model"))
                for m, opts in models.items()
            ]
            credits = parts[0]
            for part in parts[1:]:
                credits = credits.unionByName(part)
            write_credits(credits, out / name)

        rules = {m: (CUSTOM if m == "custom" else {}) for m in RULES}
        stage("rule models (10)", lambda: write("rules", rules))
        stage("markov o1", lambda: write("markov1", {"markov": {"order": 1}}))
        stage("markov o3", lambda: write("markov3", {"markov": {"order": 3}}))
        stage("shapley", lambda: write("shapley", {"shapley": {}}))
        spark.stop()
        report(stage="shuffle", totals=shuffle_totals(log_dir), rss_kb=vm_hwm_kb(), wall=0.0)


if __name__ == "__main__":
    main()
