package dev.inflight.activity.spring.boot;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.BackendDirectory;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.micrometer.ActivityMetrics;
import dev.inflight.activity.okhttp.ActivityInterceptor;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.spring.boot.internal.DiagnosticsPathBlocker;
import dev.inflight.activity.spring.boot.internal.DiagnosticsPathFilter;
import dev.inflight.activity.spring.boot.internal.DiagnosticsPort;
import dev.inflight.activity.spring.boot.internal.GlobalTracker;
import dev.inflight.activity.spring.boot.internal.OkHttpClients;
import dev.inflight.activity.spring.boot.internal.OnTrackingEnabledCondition;
import dev.inflight.activity.spring.boot.internal.ReactorDiagnosticsServer;
import dev.inflight.activity.spring.boot.internal.RestClients;
import dev.inflight.activity.spring.boot.internal.ServletDiagnosticsConnector;
import dev.inflight.activity.spring.boot.internal.TrackingEnablement;
import dev.inflight.activity.spring.boot.internal.WebClients;
import dev.inflight.activity.webflux.ActivityExchangeFilter;
import dev.inflight.activity.webflux.ActivityWebFilter;
import dev.inflight.activity.webflux.DiagnosticsWebFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.util.List;
import okhttp3.OkHttpClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ClientHttpRequestInterceptor;

/**
 * Mounts inflight in a Spring Boot application (4.0, and 3.5): the {@link ActivityTracker} bean,
 * and, while tracking is enabled, the servlet {@link ActivityFilter} around every dispatch (or, in
 * a reactive application, the WebFlux {@code ActivityWebFilter}), the Micrometer binder, and the RX
 * hooks of {@code RestClient}, {@code RestTemplate}, {@code WebClient} and OkHttp; the diagnostics
 * documents at {@code inflight.activity.diagnostics.path} (loopback clients only) and the Actuator
 * endpoint {@code activity}, which report "disabled" while tracking is off. Every bean backs off
 * when the application defines its own.
 *
 * <p>Tracking is off by default: {@code inflight.activity.enabled=true} (from any of Boot's
 * property sources) turns it on; when that property is not set, the environment variable {@code
 * ENABLE_ACTIVITY_TRACKING} decides. See {@link ActivityProperties} for the other properties.
 */
@AutoConfiguration
@EnableConfigurationProperties(ActivityProperties.class)
public class ActivityAutoConfiguration {

  /** Created by Spring. */
  public ActivityAutoConfiguration() {}

  /**
   * The tracker: enabled as the properties and the environment say, closed with the context.
   *
   * @param properties the properties
   * @param environment the environment, for the enable flag
   * @return the tracker; the shared disabled tracker while tracking is off
   */
  @Bean
  @ConditionalOnMissingBean
  public ActivityTracker inflightActivityTracker(
      ActivityProperties properties, Environment environment) {
    return ActivityTracker.create(properties.toSettings(TrackingEnablement.resolve(environment)));
  }

  /**
   * Installs the tracker as {@link ActivityTracker#global()} for the life of the context.
   *
   * @param tracker the tracker
   * @return the installation, undone when the context closes
   */
  @Bean
  @ConditionalOnBooleanProperty(prefix = ActivityProperties.PREFIX, name = "install-global")
  public GlobalTracker inflightGlobalTracker(ActivityTracker tracker) {
    return GlobalTracker.install(tracker);
  }

  /**
   * The diagnostics renderer, with the application's {@link BackendDirectory} if it defines one.
   *
   * @param properties the properties
   * @param backends the application's backend descriptions, if any
   * @return the renderer
   */
  @Bean
  @ConditionalOnMissingBean
  public DiagnosticsJson inflightDiagnosticsJson(
      ActivityProperties properties, ObjectProvider<BackendDirectory> backends) {
    BackendDirectory directory = backends.getIfAvailable(() -> List::of);
    return DiagnosticsJson.create(directory, properties.getSessionIdDisplay());
  }

  /**
   * Who may read the diagnostics documents and the live page, and how session ids appear there and
   * (when shown) in the Actuator endpoint: by default the loopback rule with the {@code
   * session-id-display} property. An application's own policy bean replaces it for every door.
   *
   * @param properties the properties
   * @return the policy
   */
  @Bean
  @ConditionalOnMissingBean
  public DiagnosticsPolicy inflightDiagnosticsPolicy(ActivityProperties properties) {
    return DiagnosticsPolicy.loopbackOnly().withSessionIds(properties.getSessionIdDisplay());
  }

  /** The servlet side: the tracking filter and the diagnostics documents. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({ActivityFilter.class, FilterRegistrationBean.class})
  static class ServletConfiguration {

    @Bean
    @Conditional(OnTrackingEnabledCondition.class)
    @ConditionalOnMissingBean(
        value = ActivityFilter.class,
        parameterizedContainer = FilterRegistrationBean.class)
    FilterRegistrationBean<ActivityFilter> inflightActivityFilter(
        ActivityTracker tracker, ActivityProperties properties) {
      FilterRegistrationBean<ActivityFilter> registration =
          new FilterRegistrationBean<>(
              ActivityFilter.builder()
                  .tracker(tracker)
                  .sessionHeader(properties.getSessionHeader())
                  .build());
      registration.setName("inflightActivityFilter");
      registration.setOrder(properties.getFilterOrder());
      registration.setAsyncSupported(true);
      registration.setDispatcherTypes(
          DispatcherType.REQUEST,
          DispatcherType.ASYNC,
          DispatcherType.ERROR,
          DispatcherType.FORWARD,
          DispatcherType.INCLUDE);
      registration.addUrlPatterns("/*");
      return registration;
    }

    @Bean
    @ConditionalOnBooleanProperty(
        prefix = ActivityProperties.PREFIX + ".diagnostics",
        name = "enabled",
        matchIfMissing = true)
    @ConditionalOnMissingBean(name = "inflightDiagnosticsFilter")
    FilterRegistrationBean<DiagnosticsPathFilter> inflightDiagnosticsFilter(
        ActivityTracker tracker,
        DiagnosticsJson json,
        DiagnosticsPolicy policy,
        ActivityProperties properties,
        ObjectProvider<DiagnosticsPort> port) {
      String path = properties.getDiagnostics().getPath();
      FilterRegistrationBean<DiagnosticsPathFilter> registration =
          new FilterRegistrationBean<>(
              new DiagnosticsPathFilter(
                  path,
                  DiagnosticsEndpoint.create(() -> tracker, json, policy),
                  port.getIfAvailable()));
      registration.setName("inflightDiagnosticsFilter");
      // inside the tracking filter, before security and the dispatcher servlet
      registration.setOrder(properties.getFilterOrder() + 1);
      // with a listener of its own, every path: the filter answers 404 on it for the others
      if (port.getIfAvailable() != null) {
        registration.addUrlPatterns("/*");
      } else {
        registration.addUrlPatterns(path, path + "/*");
      }
      return registration;
    }

    /** The diagnostics listener of its own: a second connector of Tomcat or Jetty. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(
        prefix = ActivityProperties.PREFIX + ".diagnostics",
        name = "enabled",
        matchIfMissing = true)
    @ConditionalOnProperty(prefix = ActivityProperties.PREFIX + ".diagnostics", name = "port")
    static class PortConfiguration {

      @Bean
      static DiagnosticsPort inflightDiagnosticsPort(Environment environment) {
        return DiagnosticsPort.distinctFrom(
            environment.getRequiredProperty(
                ActivityProperties.PREFIX + ".diagnostics.port", Integer.class),
            environment.getProperty("server.port", Integer.class));
      }

      @Bean
      static WebServerFactoryCustomizer<ConfigurableWebServerFactory> inflightDiagnosticsConnector(
          DiagnosticsPort port) {
        return new ServletDiagnosticsConnector(port);
      }
    }
  }

  /** The reactive side: the tracking WebFilter and the diagnostics documents. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(
      name = {
        "org.springframework.web.server.WebFilter",
        "dev.inflight.activity.webflux.ActivityWebFilter"
      })
  static class ReactiveConfiguration {

    /** The diagnostics listener of its own: a Reactor Netty server beside the application's. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(
        prefix = ActivityProperties.PREFIX + ".diagnostics",
        name = "enabled",
        matchIfMissing = true)
    @ConditionalOnProperty(prefix = ActivityProperties.PREFIX + ".diagnostics", name = "port")
    @ConditionalOnClass(name = "reactor.netty.http.server.HttpServer")
    static class PortConfiguration {

      @Bean
      DiagnosticsPort inflightDiagnosticsPort(
          ActivityProperties properties, Environment environment) {
        Integer port = properties.getDiagnostics().getPort();
        return DiagnosticsPort.distinctFrom(
            port == null ? 0 : port, environment.getProperty("server.port", Integer.class));
      }

      @Bean
      ReactorDiagnosticsServer inflightDiagnosticsServer(
          DiagnosticsPort port,
          ActivityTracker tracker,
          DiagnosticsJson json,
          DiagnosticsPolicy policy,
          ActivityProperties properties) {
        return new ReactorDiagnosticsServer(
            port,
            properties.getDiagnostics().getPath(),
            DiagnosticsEndpoint.create(() -> tracker, json, policy));
      }

      @Bean
      DiagnosticsPathBlocker inflightDiagnosticsPathBlocker(ActivityProperties properties) {
        return new DiagnosticsPathBlocker(
            properties.getDiagnostics().getPath(), properties.getFilterOrder() + 1);
      }
    }

    @Bean
    @Conditional(OnTrackingEnabledCondition.class)
    @ConditionalOnMissingBean
    ActivityWebFilter inflightActivityWebFilter(
        ActivityTracker tracker, ActivityProperties properties) {
      return ActivityWebFilter.builder()
          .tracker(tracker)
          .sessionHeader(properties.getSessionHeader())
          .order(properties.getFilterOrder())
          .build();
    }

    @Bean
    @ConditionalOnBooleanProperty(
        prefix = ActivityProperties.PREFIX + ".diagnostics",
        name = "enabled",
        matchIfMissing = true)
    @ConditionalOnMissingBean
    @Conditional(NoDiagnosticsPort.class)
    DiagnosticsWebFilter inflightDiagnosticsWebFilter(
        ActivityTracker tracker,
        DiagnosticsPolicy policy,
        ActivityProperties properties,
        ObjectProvider<BackendDirectory> backends) {
      DiagnosticsWebFilter.Builder b =
          DiagnosticsWebFilter.builder()
              .tracker(tracker)
              .policy(policy)
              .path(properties.getDiagnostics().getPath())
              .order(properties.getFilterOrder() + 1);
      BackendDirectory directory = backends.getIfAvailable();
      if (directory != null) {
        b.backends(directory);
      }
      return b.build();
    }
  }

  /** Matches when {@code inflight.activity.diagnostics.port} is not set. */
  static class NoDiagnosticsPort extends NoneNestedConditions {
    NoDiagnosticsPort() {
      super(ConfigurationPhase.PARSE_CONFIGURATION);
    }

    @ConditionalOnProperty(prefix = ActivityProperties.PREFIX + ".diagnostics", name = "port")
    static class PortSet {}
  }

  /** RX of {@code WebClient} calls, counted into the activity in the Reactor context. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.web.reactive.function.client.WebClient",
        "dev.inflight.activity.webflux.ActivityExchangeFilter"
      })
  @Conditional(OnTrackingEnabledCondition.class)
  static class WebClientConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ActivityExchangeFilter inflightExchangeFilter() {
      return ActivityExchangeFilter.create();
    }

    /** Boot 4: its customizer, applied to every {@code WebClient.Builder} Boot hands out. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.webclient.WebClientCustomizer")
    static class Customizer {

      @Bean
      @ConditionalOnMissingBean(name = "inflightWebClientCustomizer")
      WebClientCustomizer inflightWebClientCustomizer(ActivityExchangeFilter filter) {
        return builder -> builder.filters(list -> WebClients.addOnce(list, filter));
      }
    }

    /** Boot 3.5: the same filter, added to every {@code WebClient.Builder} bean. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("org.springframework.boot.webclient.WebClientCustomizer")
    static class PostProcessor {

      @Bean
      static BeanPostProcessor inflightWebClientPostProcessor(
          ObjectProvider<ActivityExchangeFilter> filter) {
        return WebClients.postProcessor(filter);
      }
    }
  }

  /** The Actuator endpoint {@code activity}, session ids hidden unless its properties say. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  @EnableConfigurationProperties(ActivityEndpointProperties.class)
  static class EndpointConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ActivityEndpoint inflightActivityEndpoint(
        ActivityTracker tracker,
        DiagnosticsJson json,
        DiagnosticsPolicy policy,
        ActivityEndpointProperties properties) {
      return new ActivityEndpoint(
          tracker, json, policy, properties.getShowSessionIds(), properties.getRoles());
    }
  }

  /** The Micrometer binder, bound by Boot to every {@code MeterRegistry}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterRegistry.class, ActivityMetrics.class})
  @Conditional(OnTrackingEnabledCondition.class)
  @ConditionalOnBooleanProperty(
      prefix = ActivityProperties.PREFIX + ".metrics",
      name = "enabled",
      matchIfMissing = true)
  static class MetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ActivityMetrics inflightActivityMetrics(
        ActivityTracker tracker, ActivityProperties properties) {
      return ActivityMetrics.builder()
          .tracker(tracker)
          .modelTag(properties.getMetrics().isModelTag())
          .build();
    }
  }

  /** RX of {@code RestClient} and {@code RestTemplate} calls. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ClientHttpRequestInterceptor.class)
  @Conditional(OnTrackingEnabledCondition.class)
  static class RestClientConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ActivityClientInterceptor inflightClientInterceptor() {
      return ActivityClientInterceptor.create();
    }

    /** Boot 4: its customizers, applied to every builder Boot hands out. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.restclient.RestClientCustomizer")
    static class Customizers {

      @Bean
      @ConditionalOnMissingBean(name = "inflightRestClientCustomizer")
      RestClientCustomizer inflightRestClientCustomizer(ActivityClientInterceptor interceptor) {
        return builder ->
            builder.requestInterceptors(list -> RestClients.addOnce(list, interceptor));
      }

      @Bean
      @ConditionalOnMissingBean(name = "inflightRestTemplateCustomizer")
      RestTemplateCustomizer inflightRestTemplateCustomizer(ActivityClientInterceptor interceptor) {
        return template -> RestClients.addOnce(template.getInterceptors(), interceptor);
      }
    }

    /**
     * Boot 3.5, whose customizer types live elsewhere: the same interceptor, added to every {@code
     * RestClient.Builder} and {@code RestTemplate} bean as it is created.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("org.springframework.boot.restclient.RestClientCustomizer")
    static class PostProcessors {

      @Bean
      static BeanPostProcessor inflightRestClientPostProcessor(
          ObjectProvider<ActivityClientInterceptor> interceptor) {
        return RestClients.postProcessor(interceptor);
      }
    }
  }

  /** RX of OkHttp calls, when OkHttp is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({OkHttpClient.class, ActivityInterceptor.class})
  @Conditional(OnTrackingEnabledCondition.class)
  static class OkHttpConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ActivityInterceptor inflightOkHttpInterceptor() {
      return ActivityInterceptor.create();
    }

    @Bean
    static BeanPostProcessor inflightOkHttpPostProcessor(
        ObjectProvider<ActivityInterceptor> interceptor) {
      return OkHttpClients.postProcessor(interceptor);
    }
  }
}
