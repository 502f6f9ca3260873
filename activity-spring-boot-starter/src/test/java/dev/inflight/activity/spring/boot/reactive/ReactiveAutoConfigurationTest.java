package dev.inflight.activity.spring.boot.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.json.SessionIdDisplay;
import dev.inflight.activity.spring.boot.ActivityAutoConfiguration;
import dev.inflight.activity.webflux.ActivityExchangeFilter;
import dev.inflight.activity.webflux.ActivityWebFilter;
import dev.inflight.activity.webflux.DiagnosticsWebFilter;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** What the auto-configuration registers in a reactive application, and how it backs off. */
class ReactiveAutoConfigurationTest {

  private final ReactiveWebApplicationContextRunner runner =
      new ReactiveWebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  ActivityAutoConfiguration.class, WebClientAutoConfiguration.class));

  @Test
  void disabledByDefaultMountsOnlyTheDiagnostics() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasSingleBean(DiagnosticsWebFilter.class);
          assertThat(context).doesNotHaveBean(ActivityWebFilter.class);
          assertThat(context).doesNotHaveBean(ActivityExchangeFilter.class);
          assertThat(context).doesNotHaveBean("inflightDiagnosticsFilter");
          context.getBean(WebClient.Builder.class).filters(list -> assertThat(list).isEmpty());
        });
  }

  @Test
  void enabledMountsTheWebFilterAndTheWebClientFilterAndNoServletParts() {
    runner
        .withPropertyValues(
            "inflight.activity.enabled=true",
            "inflight.activity.filter-order=-100",
            "inflight.activity.diagnostics.path=/admin/v1/diagnostics")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(ActivityWebFilter.class).getOrder()).isEqualTo(-100);
              assertThat(context.getBean(DiagnosticsWebFilter.class).getOrder()).isEqualTo(-99);
              ActivityExchangeFilter filter = context.getBean(ActivityExchangeFilter.class);
              context
                  .getBean(WebClient.Builder.class)
                  .filters(list -> assertThat(list).containsExactly(filter));
              assertThat(context).doesNotHaveBean("inflightActivityFilter");
              assertThat(context).doesNotHaveBean("inflightDiagnosticsFilter");
            });
  }

  @Test
  void theApplicationsOwnFiltersWin() {
    runner
        .withPropertyValues("inflight.activity.enabled=true")
        .withUserConfiguration(OwnFilters.class)
        .run(
            context -> {
              assertThat(context.getBean(ActivityWebFilter.class)).isSameAs(OwnFilters.WEB);
              assertThat(context.getBean(DiagnosticsWebFilter.class))
                  .isSameAs(OwnFilters.DIAGNOSTICS);
              assertThat(context.getBean(ActivityExchangeFilter.class)).isSameAs(OwnFilters.CLIENT);
              context
                  .getBean(WebClient.Builder.class)
                  .filters(list -> assertThat(list).containsExactly(OwnFilters.CLIENT));
            });
  }

  @Test
  @SuppressWarnings("try") // the row is opened for the document to show it
  void theDiagnosticsWebFilterAppliesTheApplicationsPolicy() {
    runner
        .withPropertyValues("inflight.activity.enabled=true", "inflight.activity.sweep-interval=0")
        .withUserConfiguration(OwnPolicy.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              ActivityTracker tracker = context.getBean(ActivityTracker.class);
              DiagnosticsWebFilter filter = context.getBean(DiagnosticsWebFilter.class);
              try (ActivityHandle row =
                  tracker.open("openai.1", OwnPolicy.SESSION, ConnectionType.STREAMING, null)) {
                MockServerWebExchange allowed =
                    MockServerWebExchange.from(
                        MockServerHttpRequest.get("/v1/diagnostics")
                            .remoteAddress(new InetSocketAddress("203.0.113.9", 40000))
                            .header("X-Ops-Token", OwnPolicy.TOKEN));
                filter.filter(allowed, exchange -> Mono.empty()).block(Duration.ofSeconds(10));
                assertThat(allowed.getResponse().getStatusCode().value()).isEqualTo(200);
                assertThat(allowed.getResponse().getBodyAsString().block(Duration.ofSeconds(10)))
                    .contains(SessionIdDisplay.HIDDEN_VALUE)
                    .doesNotContain(OwnPolicy.SESSION);
                MockServerWebExchange refused =
                    MockServerWebExchange.from(
                        MockServerHttpRequest.get("/v1/diagnostics")
                            .remoteAddress(new InetSocketAddress("127.0.0.1", 40000)));
                filter.filter(refused, exchange -> Mono.empty()).block(Duration.ofSeconds(10));
                assertThat(refused.getResponse().getStatusCode().value()).isEqualTo(403);
              }
            });
  }

  /** An application's own policy: a token instead of the loopback rule, ids hidden. */
  @Configuration(proxyBeanMethods = false)
  static class OwnPolicy {
    static final String SESSION = "user-4711-conversation-9";
    static final String TOKEN = "let-me-in";

    @Bean
    DiagnosticsPolicy myPolicy() {
      return DiagnosticsPolicy.loopbackOnly()
          .withAccess((remote, local, headers) -> TOKEN.equals(headers.get("X-Ops-Token")))
          .withSessionIds(SessionIdDisplay.HIDDEN);
    }
  }

  /** The application's own filters. */
  @Configuration(proxyBeanMethods = false)
  static class OwnFilters {
    static final ActivityTracker TRACKER =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    static final ActivityWebFilter WEB = ActivityWebFilter.builder().tracker(TRACKER).build();
    static final DiagnosticsWebFilter DIAGNOSTICS =
        DiagnosticsWebFilter.builder().tracker(TRACKER).build();
    static final ActivityExchangeFilter CLIENT = ActivityExchangeFilter.create();

    @Bean
    ActivityWebFilter myWebFilter() {
      return WEB;
    }

    @Bean
    DiagnosticsWebFilter myDiagnostics() {
      return DIAGNOSTICS;
    }

    @Bean
    ActivityExchangeFilter myClientFilter() {
      return CLIENT;
    }
  }
}
