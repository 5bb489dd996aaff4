#!/usr/bin/env bash
# Runs the hindsight Spark job in Spark's local mode: every core of this machine is an executor.
#
#   spark/run_local.sh TRACE_DIR RULES OUT_DIR
#
# TRACE_DIR: traces (a directory, file or URL, as `hindsight replay` takes them); RULES: a Falco
# rule file; OUT_DIR: the Hive-partitioned Parquet dataset to write (date/host/rule).
# Environment: HINDSIGHT (the binary, default `hindsight` on PATH), SPARK_CORES (default *),
# PARTITION_BY (default date,host,rule), REPORT (a JSON file for the alerts per rule).
# Needs Java 17 (apt-get install openjdk-17-jre-headless) and pyspark (pip install pyspark).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ $# -ne 3 ]; then
  echo "usage: $0 TRACE_DIR RULES OUT_DIR" >&2
  exit 2
fi
command -v java >/dev/null || { echo "run_local.sh: java not found; install Java 17: apt-get install openjdk-17-jre-headless" >&2; exit 1; }
python3 -c 'import pyspark' 2>/dev/null || { echo "run_local.sh: pyspark not found; install it: pip install pyspark" >&2; exit 1; }
args=(--master "local[${SPARK_CORES:-*}]" --traces "$1" --rules "$2" --out "$3"
      --hindsight "${HINDSIGHT:-hindsight}" --partition-by "${PARTITION_BY:-date,host,rule}")
[ -n "${REPORT:-}" ] && args+=(--report "$REPORT")
exec python3 "$here/hindsight_spark.py" "${args[@]}"
