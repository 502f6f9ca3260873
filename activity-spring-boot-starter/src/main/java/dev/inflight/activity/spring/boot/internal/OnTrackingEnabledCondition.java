package dev.inflight.activity.spring.boot.internal;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when tracking is on, as {@link TrackingEnablement} resolves it. */
public final class OnTrackingEnabledCondition extends SpringBootCondition {

  /** Created by Spring. */
  public OnTrackingEnabledCondition() {}

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    return TrackingEnablement.resolve(context.getEnvironment())
        ? ConditionOutcome.match("inflight activity tracking is enabled")
        : ConditionOutcome.noMatch(
            "inflight activity tracking is disabled (set "
                + TrackingEnablement.PROPERTY
                + "=true or ENABLE_ACTIVITY_TRACKING=true)");
  }
}
