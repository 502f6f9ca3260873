/** Implementation of the OkHttp adapter; not exported. */
@NullMarked
package dev.inflight.activity.okhttp.internal;

import org.jspecify.annotations.NullMarked;
