/** Rendering and parsing internals. Not exported. */
@NullMarked
package dev.inflight.activity.json.internal;

import org.jspecify.annotations.NullMarked;
