/** Implementation of the WebFlux adapter; not exported. */
@NullMarked
package dev.inflight.activity.webflux.internal;

import org.jspecify.annotations.NullMarked;
