/** Implementation of the Apache HttpClient 5 adapter; not exported. */
@NullMarked
package dev.inflight.activity.httpclient5.internal;

import org.jspecify.annotations.NullMarked;
