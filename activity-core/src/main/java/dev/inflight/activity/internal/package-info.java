/** Implementation of the tracker. Not exported; no compatibility promises. */
@NullMarked
package dev.inflight.activity.internal;

import org.jspecify.annotations.NullMarked;
