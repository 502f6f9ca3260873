/**
 * The diagnostics documents ({@code /v1/diagnostics}, {@code /v1/diagnostics/activity}): {@link
 * dev.inflight.activity.json.DiagnosticsJson} renders and parses them, {@link
 * dev.inflight.activity.json.DiagnosticsEndpoint} serves them for any adapter.
 */
@NullMarked
package dev.inflight.activity.json;

import org.jspecify.annotations.NullMarked;
