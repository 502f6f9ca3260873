/**
 * A runnable demo LLM proxy on embedded Jetty 12 with inflight's activity tracking mounted: {@link
 * dev.inflight.examples.DemoProxy}.
 */
@NullMarked
package dev.inflight.examples;

import org.jspecify.annotations.NullMarked;
