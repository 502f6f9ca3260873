/** Implementation of the command: fetching, rendering, the watch loop. Not API. */
@NullMarked
package dev.inflight.activity.cli.internal;

import org.jspecify.annotations.NullMarked;
