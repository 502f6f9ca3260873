/** Request and response wrappers behind {@code ActivityFilter}; not part of the API. */
@NullMarked
package dev.inflight.activity.servlet.internal;

import org.jspecify.annotations.NullMarked;
