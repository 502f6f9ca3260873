/** The {@code inspect-activity} command: {@link dev.inflight.activity.cli.InspectActivity}. */
@NullMarked
package dev.inflight.activity.cli;

import org.jspecify.annotations.NullMarked;
