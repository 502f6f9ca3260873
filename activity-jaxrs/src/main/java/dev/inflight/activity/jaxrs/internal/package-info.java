/** Implementation of the Jakarta REST adapter; not exported. */
@NullMarked
package dev.inflight.activity.jaxrs.internal;

import org.jspecify.annotations.NullMarked;
