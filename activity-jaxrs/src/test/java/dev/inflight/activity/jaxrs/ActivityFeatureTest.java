package dev.inflight.activity.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.WriterInterceptor;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link ActivityFeature} registers, checked against a recording {@link FeatureContext}. */
class ActivityFeatureTest {

  /** A FeatureContext that records what is registered into it. */
  static final class Recorder {
    final List<Object> registered = new ArrayList<>();
    final List<Map<?, ?>> priorities = new ArrayList<>();

    FeatureContext context() {
      return (FeatureContext)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {FeatureContext.class},
              (proxy, method, args) -> {
                if (method.getName().equals("register")) {
                  registered.add(args[0]);
                  if (args.length > 1 && args[1] instanceof Map) {
                    priorities.add((Map<?, ?>) args[1]);
                  }
                  return proxy;
                }
                throw new UnsupportedOperationException(method.getName());
              });
    }
  }

  @Test
  void disabledTrackerRegistersNothing() {
    Recorder recorder = new Recorder();
    boolean configured =
        new ActivityFeature(ActivityTracker.disabled()).configure(recorder.context());
    assertThat(configured).isFalse();
    assertThat(recorder.registered).isEmpty();
  }

  @Test
  void closedTrackerRegistersNothing() {
    ActivityTracker tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    tracker.close();
    Recorder recorder = new Recorder();
    assertThat(new ActivityFeature(tracker).configure(recorder.context())).isFalse();
    assertThat(recorder.registered).isEmpty();
  }

  @Test
  void enabledTrackerRegistersOneProviderForAllThreeContracts() {
    try (ActivityTracker tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build())) {
      Recorder recorder = new Recorder();
      assertThat(new ActivityFeature(tracker).configure(recorder.context())).isTrue();
      assertThat(recorder.registered)
          .singleElement()
          .isInstanceOf(ContainerRequestFilter.class)
          .isInstanceOf(ContainerResponseFilter.class)
          .isInstanceOf(WriterInterceptor.class);
      assertThat(recorder.priorities)
          .singleElement()
          .isEqualTo(
              Map.of(
                  ContainerRequestFilter.class, ActivityFeature.PRIORITY,
                  ContainerResponseFilter.class, ActivityFeature.PRIORITY,
                  WriterInterceptor.class, ActivityFeature.PRIORITY));
    }
  }

  @Test
  void globalFeatureRegistersEvenWhileTheGlobalTrackerIsOff() {
    // the global tracker may be switched on later, so the filters must be in place
    Recorder recorder = new Recorder();
    assertThat(ActivityFeature.global().configure(recorder.context())).isTrue();
    assertThat(recorder.registered).hasSize(1);
  }

  @Test
  void aFeatureWithATrackerSupplierRegistersWhateverTheTrackerIsNow() {
    Recorder recorder = new Recorder();
    ActivityFeature feature = ActivityFeature.builder().tracker(ActivityTracker::disabled).build();
    assertThat(feature.configure(recorder.context())).isTrue();
    assertThat(feature).hasToString("ActivityFeature{per request}");
  }

  @Test
  void thePortableDiagnosticsFilterNeedsAnAddressSource() {
    assertThatThrownBy(() -> DiagnosticsFilter.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("remoteAddress is required");
  }
}
