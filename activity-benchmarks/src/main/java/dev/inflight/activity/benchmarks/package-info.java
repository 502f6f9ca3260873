/**
 * JMH benchmarks for the activity tracker, each measured against an empty {@code baseline()} and
 * the obvious alternatives (a bare {@code AtomicLong}, {@code LongAdder}, a Dropwizard {@code
 * Counter}, and the seed's single lock around a map) in the same run.
 *
 * <p>Run them with {@code java -jar activity-benchmarks/target/benchmarks.jar}; see the module
 * README for the presets and how results are recorded.
 */
@NullMarked
package dev.inflight.activity.benchmarks;

import org.jspecify.annotations.NullMarked;
