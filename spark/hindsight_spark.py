"""Replay traces against Falco rules on a Spark cluster with the hindsight binary.

The driver lists the work units (`hindsight replay --list-work`: a chunk of a native trace,
else a whole trace), Spark distributes them over the executors, and each executor replays its
units one by one with `hindsight replay TRACE --chunks A..B --part U+1/TOTAL` (unit U alone:
only its trace is opened, only its chunks read), writing its alerts into one Hive-partitioned
Parquet dataset (`--partition-by`, one `part-K-of-N.parquet` per unit and partition, so
retried tasks overwrite their own files and never another's). The
driver then queries the dataset with Spark SQL and prints the alerts per rule.

Usage (local mode: spark/run_local.sh; on a cluster, ship the binary with --files):

    spark-submit --files /usr/local/bin/hindsight spark/hindsight_spark.py \\
        --traces s3://traces/2026-12-04/ --rules falco_rules.yaml \\
        --out s3://alerts/2026-12-04/ --hindsight hindsight
"""

import argparse
import json
import os
import subprocess
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Distribute hindsight work units over Spark executors and write one "
        "Hive-partitioned Parquet dataset.",
        epilog="Example: spark/run_local.sh traces/ rules.yaml out/",
    )
    p.add_argument("--traces", required=True, nargs="+",
                   help="trace files, directories or URLs (as `hindsight replay` takes them); "
                   "every executor must see them at the same path or URL")
    p.add_argument("--rules", required=True, nargs="+", help="Falco rule files")
    p.add_argument("--out", required=True,
                   help="dataset directory or URL (s3://...) every executor can write to")
    p.add_argument("--hindsight", default="hindsight",
                   help="the hindsight binary: a path, a name on PATH, or the name of a file "
                   "shipped with spark-submit --files (default: hindsight)")
    p.add_argument("--partition-by", default="date,host,rule",
                   help="partition keys (default: date,host,rule)")
    p.add_argument("--master", default=None,
                   help="Spark master, e.g. local[4] (default: spark-submit's)")
    p.add_argument("--report", default=None,
                   help="also write the alerts per rule (Spark SQL over the dataset) as JSON")
    return p.parse_args(argv)


def fail(message):
    print(f"hindsight_spark: error: {message}", file=sys.stderr)
    sys.exit(1)


def resolve_binary(name):
    """The binary on this machine: shipped with --files, else a path or a name on PATH."""
    try:
        from pyspark import SparkFiles
        shipped = SparkFiles.get(os.path.basename(name))
        if os.path.isfile(shipped):
            os.chmod(shipped, 0o755)
            return shipped
    except Exception:  # No SparkContext here (driver before start) or no such file.
        pass
    return name


def check_rules(binary, rules):
    """Fails on the driver, once, when the rules do not load (not on every executor)."""
    cmd = [binary, "rules", "validate", *rules]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        fail(f"cannot run {binary}: give the hindsight binary with --hindsight")
    if proc.returncode != 0:
        fail(f"the rules do not load ({' '.join(cmd)}):\n{proc.stdout}{proc.stderr}".rstrip())


def list_units(binary, traces):
    cmd = [binary, "replay", "--list-work", *traces]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        fail(f"cannot run {binary}: give the hindsight binary with --hindsight")
    except subprocess.CalledProcessError as e:
        fail(f"{' '.join(cmd)} failed: {e.stderr.strip()}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def run_units(units, binary, rules, out, keys, total):
    """Runs on an executor: replays each unit of this partition; yields (unit, status, error)."""
    binary = resolve_binary(binary)
    for unit in units:
        start, end = unit["chunks"] or (0, 1)
        cmd = [binary, "replay", unit["trace"], "-r", *rules, "--chunks", f"{start}..{end}",
               "--part", f"{unit['unit'] + 1}/{total}", "-o", out, "--partition-by", keys, "-q"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        yield (unit["unit"], proc.returncode, proc.stderr.strip()[-2000:])


def main(argv):
    args = parse_args(argv)
    from pyspark.sql import SparkSession

    check_rules(args.hindsight, args.rules)
    units = list_units(args.hindsight, args.traces)
    if not units:
        fail(f"no work unit in {' '.join(args.traces)}")
    total = len(units)
    # hindsight's `time` column is a nanosecond timestamp, which Spark reads as a long
    # (nanoseconds since the epoch) only with this option.
    builder = (SparkSession.builder.appName("hindsight-replay")
               .config("spark.sql.legacy.parquet.nanosAsLong", "true")
               .config("spark.ui.showConsoleProgress", "false"))
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")
    slices = min(total, max(1, sc.defaultParallelism * 4))
    binary, rules, out, keys = args.hindsight, args.rules, args.out, args.partition_by
    results = (
        sc.parallelize(units, slices)
        .mapPartitions(lambda part: run_units(part, binary, rules, out, keys, total))
        .collect()
    )
    failed = [r for r in results if r[1] != 0]
    if failed:
        for unit, code, err in failed:
            print(f"unit {unit}: exit {code}: {err}", file=sys.stderr)
        fail(f"{len(failed)} of {total} work units failed")
    print(f"hindsight_spark: {total} work units replayed into {out}", file=sys.stderr)

    per_rule = {}
    if os.path.isdir(out) and not any(
            f.endswith(".parquet") for _, _, fs in os.walk(out) for f in fs):
        print("hindsight_spark: no alert", file=sys.stderr)
    else:
        # Hadoop's S3 connector is s3a://; hindsight and object_store say s3://.
        dataset = "s3a://" + out[len("s3://"):] if out.startswith("s3://") else out
        (spark.read.option("basePath", dataset).parquet(dataset)
         .createOrReplaceTempView("alerts"))
        rows = spark.sql(
            "SELECT rule, count(*) AS alerts FROM alerts GROUP BY rule ORDER BY rule").collect()
        per_rule = {r["rule"]: r["alerts"] for r in rows}
        for rule, n in per_rule.items():
            print(f"{n:8d}  {rule}")
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"units": total, "alerts_per_rule": per_rule}, f, indent=2)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
