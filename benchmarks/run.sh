#!/bin/sh
# Builds the benchmarks (and the modules they use) and runs every benchmark and the fleet simulation, then writes
# the Markdown report to benchmarks/<target>/results.md and into docs/PERFORMANCE.md. See docs/PERFORMANCE.md.
#   benchmarks/run.sh            the full run (about 4 minutes on 2 CPUs, after the build)
#   benchmarks/run.sh --quick    fewer iterations, a smoke test (does not touch docs/PERFORMANCE.md)
#   benchmarks/run.sh --only hot,fleet
# KL_TARGET names the build output folder (default target-bench), so the run does not clobber other builds.
set -e
cd "$(dirname "$0")/.."
TARGET="${KL_TARGET:-target-bench}"
mvn -q -Pbenchmarks -Dkl.target="$TARGET" -pl benchmarks -am package -DskipTests
mkdir -p "benchmarks/$TARGET/run"
case " $* " in
  *" --quick "*|*" --only "*) DOC="" ;;
  *) DOC="--update-doc docs/PERFORMANCE.md" ;;
esac
# The report's working files (JMH log, scenario records) stay in the build folder.
exec java -jar "benchmarks/$TARGET/keyless-benchmarks.jar" --out "benchmarks/$TARGET/run/results.md" $DOC "$@"
