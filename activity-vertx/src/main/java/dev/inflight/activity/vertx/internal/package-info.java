/** Implementation of the Vert.x adapter; not exported. */
@NullMarked
package dev.inflight.activity.vertx.internal;

import org.jspecify.annotations.NullMarked;
