#!/usr/bin/env bash
# Smoke test for CI: runs every benchmark once with short iterations and fails if any of them
# fails (or the results table cannot be written), then tiny passes of the paired server-CPU
# measurement: the default variants, every Jetty variant (inflight and the other libraries' request
# metrics), the Reactor Netty variants, and the variants of one switched Jetty server. Asserts nothing about time. A little over a minute
# on 2 cores. Extra arguments go to JMH, e.g. quick.sh -- Update
set -euo pipefail
here="$(dirname "$0")"
"$here/run.sh" quick --status "quick pass (smoke test; the numbers mean nothing)" "$@"
echo "server CPU per MB, smoke pass (2 blocks of 2 rounds; the numbers mean nothing):"
java -cp "$here/target/benchmarks.jar" dev.inflight.activity.benchmarks.ServerCpuPerMegabyte 2 2 0
echo "server CPU per MB, every Jetty variant and the Reactor Netty ones (the numbers mean nothing):"
java -cp "$here/target/benchmarks.jar" dev.inflight.activity.benchmarks.ServerCpuPerMegabyte 2 2 0 all
java -cp "$here/target/benchmarks.jar" dev.inflight.activity.benchmarks.ServerCpuPerMegabyte 2 2 0 netty
java -cp "$here/target/benchmarks.jar" dev.inflight.activity.benchmarks.ServerCpuPerMegabyte 2 2 0 switched
java -cp "$here/target/benchmarks.jar" dev.inflight.activity.benchmarks.ServerCpuPerMegabyte 2 2 0 netty-switched
