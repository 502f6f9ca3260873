/**
 * Live tracking of the connections an HTTP proxy holds open to its backends.
 *
 * <p>Start with {@link dev.inflight.activity.ActivityTracker}. Adapters for Servlet and JAX-RS
 * containers live in their own modules and call into this package.
 */
@NullMarked
package dev.inflight.activity;

import org.jspecify.annotations.NullMarked;
