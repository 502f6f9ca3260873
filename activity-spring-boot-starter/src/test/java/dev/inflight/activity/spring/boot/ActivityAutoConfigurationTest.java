package dev.inflight.activity.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.json.SessionIdDisplay;
import dev.inflight.activity.micrometer.ActivityMetrics;
import dev.inflight.activity.okhttp.ActivityInterceptor;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import jakarta.servlet.Filter;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * What the auto-configuration registers, when, and how it backs off, in real Spring contexts (no
 * server: the servlet scenarios start those); plus the RX hooks of RestTemplate and OkHttp against
 * a real backend.
 */
class ActivityAutoConfigurationTest {

  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  ActivityAutoConfiguration.class,
                  RestClientAutoConfiguration.class,
                  RestTemplateAutoConfiguration.class));

  @Test
  void disabledByDefaultRegistersOnlyWhatReportsDisabled() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(ActivityTracker.class).isEnabled()).isFalse();
          assertThat(context).hasBean("inflightDiagnosticsFilter");
          assertThat(context).hasSingleBean(ActivityEndpoint.class);
          assertThat(context).doesNotHaveBean("inflightActivityFilter");
          assertThat(context).doesNotHaveBean(ActivityMetrics.class);
          assertThat(context).doesNotHaveBean(ActivityClientInterceptor.class);
          assertThat(context).doesNotHaveBean(ActivityInterceptor.class);
          assertThat(context.getBean(ActivityEndpoint.class).activity())
              .containsEntry("activity_tracking_enabled", false);
          RestClient.Builder builder = context.getBean(RestClient.Builder.class);
          builder.requestInterceptors(list -> assertThat(list).isEmpty());
        });
  }

  @Test
  void enabledRegistersTheFilterTheBinderAndTheInterceptors() {
    runner
        .withPropertyValues(
            "inflight.activity.enabled=true",
            "inflight.activity.max-connections=7",
            "inflight.activity.stale-timeout=90s",
            "inflight.activity.sweep-interval=0")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              ActivityTracker tracker = context.getBean(ActivityTracker.class);
              assertThat(tracker.isEnabled()).isTrue();
              assertThat(context).hasBean("inflightActivityFilter");
              FilterRegistrationBean<?> filter =
                  context.getBean("inflightActivityFilter", FilterRegistrationBean.class);
              assertThat(filter.getFilter()).isInstanceOf(ActivityFilter.class);
              assertThat(filter.getOrder()).isEqualTo(Integer.MIN_VALUE);
              assertThat(filter.isAsyncSupported()).isTrue();
              assertThat(filter.getUrlPatterns()).containsExactly("/*");
              assertThat(context).hasSingleBean(ActivityMetrics.class);
              assertThat(context).hasSingleBean(ActivityInterceptor.class);
              ActivityClientInterceptor interceptor =
                  context.getBean(ActivityClientInterceptor.class);
              context
                  .getBean(RestClient.Builder.class)
                  .requestInterceptors(list -> assertThat(list).containsExactly(interceptor));
              assertThat(context.getBean(RestTemplateBuilder.class).build().getInterceptors())
                  .containsExactly(interceptor);
            });
  }

  private static int stalled(ActivityTracker tracker, String backend) {
    return tracker.getBackendTotals(backend).orElseThrow().stalledConnections();
  }

  /**
   * The tracker marks a row stalled after {@code stall-after} without content: not within this test
   * at the default 30 s, within milliseconds at {@code 1ms}.
   */
  @Test
  void stallAfterSetsWhenAQuietRowIsMarkedStalled() {
    runner
        .withPropertyValues("inflight.activity.enabled=true", "inflight.activity.sweep-interval=0")
        .run(
            context -> {
              ActivityProperties properties = context.getBean(ActivityProperties.class);
              assertThat(properties.getStallAfter()).isEqualTo(Duration.ofSeconds(30));
              assertThat(properties.toSettings(true).stallAfter())
                  .isEqualTo(ActivitySettings.DEFAULT_STALL_AFTER);
              ActivityTracker tracker = context.getBean(ActivityTracker.class);
              ActivityHandle h = tracker.open("quiet", "s", ConnectionType.STREAMING, null);
              assertThat(stalled(tracker, "quiet")).isZero();
              h.close();
            });
    runner
        .withPropertyValues(
            "inflight.activity.enabled=true",
            "inflight.activity.sweep-interval=0",
            "inflight.activity.stall-after=1ms")
        .run(
            context -> {
              ActivityProperties properties = context.getBean(ActivityProperties.class);
              assertThat(properties.getStallAfter()).isEqualTo(Duration.ofMillis(1));
              assertThat(properties.toSettings(true).stallAfter()).isEqualTo(Duration.ofMillis(1));
              ActivityTracker tracker = context.getBean(ActivityTracker.class);
              ActivityHandle h = tracker.open("quiet", "s", ConnectionType.STREAMING, null);
              Await.until(
                  "the quiet row is marked stalled after 1 ms",
                  Duration.ofSeconds(10),
                  () -> stalled(tracker, "quiet") == 1);
              assertThat(tracker.getBackendSnapshot("quiet").orElseThrow().connections())
                  .singleElement()
                  .satisfies(row -> assertThat(row.stalled()).isTrue());
              h.close();
            });
  }

  /** {@code count-events} switches the tracker's event counting on; it is off by default. */
  @Test
  void countEventsSwitchesEventCountingOn() {
    byte[] event = "data: {}\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    runner
        .withPropertyValues("inflight.activity.enabled=true", "inflight.activity.sweep-interval=0")
        .run(
            context -> {
              assertThat(context.getBean(ActivityProperties.class).isCountEvents()).isFalse();
              assertThat(eventsAfterOne(context.getBean(ActivityTracker.class), event)).isZero();
            });
    runner
        .withPropertyValues(
            "inflight.activity.enabled=true",
            "inflight.activity.sweep-interval=0",
            "inflight.activity.count-events=true")
        .run(
            context -> {
              assertThat(context.getBean(ActivityProperties.class).isCountEvents()).isTrue();
              assertThat(eventsAfterOne(context.getBean(ActivityTracker.class), event)).isOne();
            });
  }

  private static long eventsAfterOne(ActivityTracker tracker, byte[] event) {
    try (ActivityHandle h = tracker.open("sse", "s", ConnectionType.STREAMING, null)) {
      h.addRx(event, 0, event.length);
      return tracker.getBackendSnapshot("sse").orElseThrow().connections().get(0).eventsRx();
    }
  }

  @Test
  void theTrackerClosesWithTheContext() {
    ActivityTracker[] seen = new ActivityTracker[1];
    runner
        .withPropertyValues("inflight.activity.enabled=true")
        .run(context -> seen[0] = context.getBean(ActivityTracker.class));
    assertThat(seen[0].isEnabled()).isFalse(); // closed: its sweeper stopped
  }

  @Test
  void installGlobalInstallsTheTrackerForTheLifeOfTheContext() {
    ActivityTracker before = ActivityTracker.global();
    runner
        .withPropertyValues(
            "inflight.activity.enabled=true", "inflight.activity.install-global=true")
        .run(
            context ->
                assertThat(ActivityTracker.global())
                    .isSameAs(context.getBean(ActivityTracker.class)));
    assertThat(ActivityTracker.global()).isSameAs(before);
    runner
        .withPropertyValues("inflight.activity.enabled=true")
        .run(context -> assertThat(ActivityTracker.global()).isSameAs(before));
  }

  @Test
  void everyBeanBacksOffWhenTheApplicationDefinesItsOwn() {
    runner
        .withPropertyValues("inflight.activity.enabled=true")
        .withUserConfiguration(OwnBeans.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(ActivityTracker.class)).isSameAs(OwnBeans.TRACKER);
              assertThat(context).doesNotHaveBean("inflightActivityFilter");
              assertThat(context.getBean(ActivityClientInterceptor.class))
                  .isSameAs(OwnBeans.INTERCEPTOR);
              assertThat(context.getBean(DiagnosticsJson.class)).isSameAs(OwnBeans.JSON);
              assertThat(context.getBean(ActivityMetrics.class)).isSameAs(OwnBeans.METRICS);
              assertThat(context.getBean(ActivityEndpoint.class)).isSameAs(OwnBeans.ENDPOINT);
              assertThat(context.getBean(ActivityInterceptor.class)).isSameAs(OwnBeans.OKHTTP);
              // and what the starter still mounts uses the application's beans
              context
                  .getBean(RestClient.Builder.class)
                  .requestInterceptors(
                      list -> assertThat(list).containsExactly(OwnBeans.INTERCEPTOR));
            });
  }

  @Test
  void oneDefaultPolicyWithTheDisplayPropertyAndActuatorIdsHiddenUntilTheirPropertiesSay() {
    runner
        .withPropertyValues(
            "inflight.activity.enabled=true",
            "inflight.activity.session-id-display=truncated",
            "inflight.activity.actuator.show-session-ids=when-authorized",
            "inflight.activity.actuator.roles=OPS,ADMIN")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              DiagnosticsPolicy policy = context.getBean(DiagnosticsPolicy.class);
              assertThat(policy.sessionIds()).isEqualTo(SessionIdDisplay.TRUNCATED);
              assertThat(policy.toString()).contains("access=loopback");
              ActivityEndpointProperties actuator =
                  context.getBean(ActivityEndpointProperties.class);
              assertThat(actuator.getShowSessionIds()).isEqualTo(Show.WHEN_AUTHORIZED);
              assertThat(actuator.getRoles()).containsExactly("OPS", "ADMIN");
            });
    runner.run(
        context ->
            assertThat(context.getBean(ActivityEndpointProperties.class).getShowSessionIds())
                .isEqualTo(Show.NEVER));
  }

  @Test
  @SuppressWarnings("try") // the row is opened for the documents to show it
  void anApplicationPolicyDecidesTheDiagnosticsAndTheActuatorDisplay() {
    runner
        .withPropertyValues(
            "inflight.activity.enabled=true",
            "inflight.activity.sweep-interval=0",
            "inflight.activity.session-id-display=full",
            "inflight.activity.actuator.show-session-ids=always")
        .withUserConfiguration(OwnPolicy.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(DiagnosticsPolicy.class)).isSameAs(OwnPolicy.POLICY);
              ActivityTracker tracker = context.getBean(ActivityTracker.class);
              try (ActivityHandle row =
                  tracker.open("openai.1", OwnPolicy.SESSION, ConnectionType.STREAMING, null)) {
                String truncated = SessionIdDisplay.TRUNCATED.show(OwnPolicy.SESSION);
                Filter filter =
                    context
                        .getBean("inflightDiagnosticsFilter", FilterRegistrationBean.class)
                        .getFilter();
                // the application's rule: a token, from anywhere; not the loopback rule
                MockHttpServletResponse allowed =
                    diagnostics(filter, "203.0.113.9", OwnPolicy.TOKEN);
                assertThat(allowed.getStatus()).isEqualTo(200);
                assertThat(allowed.getContentAsString())
                    .contains(truncated)
                    .doesNotContain(OwnPolicy.SESSION);
                assertThat(diagnostics(filter, "127.0.0.1", null).getStatus()).isEqualTo(403);
                // shown by the Actuator endpoint as the policy shows them
                String actuator =
                    new ObjectMapper()
                        .writeValueAsString(context.getBean(ActivityEndpoint.class).activity());
                assertThat(actuator).contains(truncated).doesNotContain(OwnPolicy.SESSION);
              }
            });
  }

  private static MockHttpServletResponse diagnostics(
      Filter filter, String remote, @Nullable String token) throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/diagnostics");
    request.setRemoteAddr(remote);
    request.setLocalAddr("127.0.0.1");
    if (token != null) {
      request.addHeader("X-Ops-Token", token);
    }
    MockHttpServletResponse response = new MockHttpServletResponse();
    filter.doFilter(request, response, new MockFilterChain());
    return response;
  }

  /** An application's own policy: a token instead of the loopback rule, ids truncated. */
  @Configuration(proxyBeanMethods = false)
  static class OwnPolicy {
    static final String SESSION = "user-4711-conversation-9";
    static final String TOKEN = "let-me-in";
    static final DiagnosticsPolicy POLICY =
        DiagnosticsPolicy.loopbackOnly()
            .withAccess((remote, local, headers) -> TOKEN.equals(headers.get("X-Ops-Token")))
            .withSessionIds(SessionIdDisplay.TRUNCATED);

    @Bean
    DiagnosticsPolicy myPolicy() {
      return POLICY;
    }
  }

  @Test
  void diagnosticsAndMetricsCanBeSwitchedOff() {
    runner
        .withPropertyValues(
            "inflight.activity.enabled=true",
            "inflight.activity.diagnostics.enabled=false",
            "inflight.activity.metrics.enabled=false")
        .run(
            context -> {
              assertThat(context).hasBean("inflightActivityFilter");
              assertThat(context).doesNotHaveBean("inflightDiagnosticsFilter");
              assertThat(context).doesNotHaveBean(ActivityMetrics.class);
            });
  }

  @Test
  void aBadValueStopsStartupNamingThePropertyAndTheValue() {
    assertStartupFails("inflight.activity.stale-timeout=-5s", "inflight.activity.stale-timeout");
    assertStartupFails("inflight.activity.stale-timeout=soon", "inflight.activity.stale-timeout");
    assertStartupFails("inflight.activity.stall-after=-5s", "inflight.activity.stall-after");
    assertStartupFails("inflight.activity.stall-after=0s", "inflight.activity.stall-after");
    assertStartupFails("inflight.activity.stall-after=later", "inflight.activity.stall-after");
    assertStartupFails("inflight.activity.max-connections=0", "inflight.activity.max-connections");
    assertStartupFails(
        "inflight.activity.session-id-display=sideways", "inflight.activity.session-id-display");
    assertStartupFails(
        "inflight.activity.diagnostics.path=/v1/*", "inflight.activity.diagnostics.path");
    assertStartupFails("inflight.activity.enabled=maybe", "inflight.activity.enabled='maybe'");
    assertStartupFails("ENABLE_ACTIVITY_TRACKING=perhaps", "ENABLE_ACTIVITY_TRACKING='perhaps'");
  }

  private void assertStartupFails(String property, String named) {
    runner
        .withPropertyValues(property)
        .run(
            context -> {
              assertThat(context).hasFailed();
              StringBuilder messages = new StringBuilder();
              for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
              }
              assertThat(messages.toString()).as(property).contains(named);
              String value = property.substring(property.indexOf('=') + 1);
              assertThat(messages.toString().replace("PT-5S", "-5s").replace("PT0S", "0s"))
                  .as(property)
                  .contains(value);
            });
  }

  @Test
  @SuppressWarnings("try") // the scope is opened for its effect on the thread
  void restTemplateCountsRxIntoTheCurrentRequestAndAttachesIt() throws Exception {
    Reply reply = Reply.sse(List.of("data: one\n\n", "data: two\n\n", "data: [DONE]\n\n"));
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      runner
          .withPropertyValues(
              "inflight.activity.enabled=true", "inflight.activity.sweep-interval=0")
          .run(
              context -> {
                ActivityTracker tracker = context.getBean(ActivityTracker.class);
                RestTemplate template = context.getBean(RestTemplateBuilder.class).build();
                RequestActivity request = tracker.beginRequest("s-template");
                try (ActivityScope scope = request.makeCurrent()) {
                  String body = template.getForObject(backend.uri("/v1/chat"), String.class);
                  assertThat(body).hasSize((int) reply.length());
                }
                request.end(EndReason.COMPLETED);
                EndedConnection ended = tracker.recentlyEnded().get(0);
                assertThat(ended.backend()).isEqualTo("127.0.0.1:" + backend.port());
                assertThat(ended.type()).isEqualTo(ConnectionType.STREAMING);
                assertThat(ended.bytesRx()).isEqualTo(backend.bodyBytesSent());
              });
    }
  }

  @Test
  @SuppressWarnings("try") // the scope is opened for its effect on the thread
  void okHttpClientBeansGetTheInterceptor() throws Exception {
    Reply reply = Reply.json("{\"choices\":[]}");
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      runner
          .withPropertyValues(
              "inflight.activity.enabled=true", "inflight.activity.sweep-interval=0")
          .withUserConfiguration(OkHttpBean.class)
          .run(
              context -> {
                ActivityTracker tracker = context.getBean(ActivityTracker.class);
                OkHttpClient client = context.getBean(OkHttpClient.class);
                assertThat(client.networkInterceptors())
                    .containsExactly(context.getBean(ActivityInterceptor.class));
                RequestActivity request = tracker.beginRequest("s-okhttp");
                request.attach("openai.1", "gpt-test", ConnectionType.NON_STREAMING);
                try (ActivityScope scope = request.makeCurrent();
                    Response r =
                        client
                            .newCall(new Request.Builder().url(backend.baseUrl() + "/x").build())
                            .execute()) {
                  assertThat(r.body().string()).isEqualTo("{\"choices\":[]}");
                }
                request.end(EndReason.COMPLETED);
                EndedConnection ended = tracker.recentlyEnded().get(0);
                assertThat(ended.backend()).isEqualTo("openai.1");
                assertThat(ended.bytesRx()).isEqualTo(backend.bodyBytesSent());
              });
    }
  }

  /** The application's own beans of every kind the starter defines. */
  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final ActivityTracker TRACKER =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    static final ActivityClientInterceptor INTERCEPTOR =
        ActivityClientInterceptor.builder().attach(false).build();
    static final DiagnosticsJson JSON = DiagnosticsJson.create();
    static final ActivityMetrics METRICS = ActivityMetrics.builder().tracker(TRACKER).build();
    static final ActivityEndpoint ENDPOINT = new ActivityEndpoint(TRACKER, JSON);
    static final ActivityInterceptor OKHTTP = ActivityInterceptor.create();

    @Bean
    ActivityTracker myTracker() {
      return TRACKER;
    }

    @Bean
    FilterRegistrationBean<ActivityFilter> myFilter() {
      return new FilterRegistrationBean<>(ActivityFilter.builder().tracker(TRACKER).build());
    }

    @Bean
    ActivityClientInterceptor myInterceptor() {
      return INTERCEPTOR;
    }

    @Bean
    DiagnosticsJson myJson() {
      return JSON;
    }

    @Bean
    ActivityMetrics myMetrics() {
      return METRICS;
    }

    @Bean
    ActivityEndpoint myEndpoint() {
      return ENDPOINT;
    }

    @Bean
    ActivityInterceptor myOkHttpInterceptor() {
      return OKHTTP;
    }
  }

  /** An application's OkHttp client. */
  @Configuration(proxyBeanMethods = false)
  static class OkHttpBean {
    @Bean
    OkHttpClient okHttpClient() {
      return new OkHttpClient();
    }
  }
}
