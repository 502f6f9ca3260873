/** Implementation of the Jetty adapter; not exported. */
@NullMarked
package dev.inflight.activity.jetty.internal;

import org.jspecify.annotations.NullMarked;
