package dev.inflight.activity.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.testing.Http2Contract;
import dev.inflight.activity.testing.TestCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The test kit's HTTP/2 cases on a real Spring Boot 4 application with {@code
 * server.http2.enabled=true}, counted by the starter's own auto-configured filter: one application
 * on a plain port, where Boot speaks h2c (prior knowledge), and one with {@code server.ssl.*} set
 * to {@link TestCertificate}'s key store, where Boot speaks h2 chosen by ALPN.
 *
 * <p>The two applications count into one tracker: the h2c application's {@code ActivityTracker}
 * bean, which the starter made from its properties; the TLS application defines that same tracker
 * as a bean of its own, which the starter honours (its tracker bean backs off) and hands to its
 * filter. The h2c application, which owns the tracker, stops last and closes it.
 *
 * <p>Each application's handler serves {@code /fixed} and {@code /gated} through the contract's
 * {@link #stream}, given to it as a {@link Streams} bean.
 */
public abstract class BootHttp2Contract extends Http2Contract {

  /** The contract's streams, as the applications' handlers reach them. */
  @FunctionalInterface
  public interface Streams {
    /**
     * The server's side of the stream a request asks for.
     *
     * @param query the request's query parameters by name
     * @param sessionHeader the request's session header
     * @return what to write
     */
    Stream open(Function<String, @Nullable String> query, @Nullable String sessionHeader);
  }

  /**
   * The application to start twice.
   *
   * @return its configuration class
   */
  protected abstract Class<?> application();

  /**
   * The container Boot is expected to have started, as the start of its web server class name.
   *
   * @return e.g. {@code Tomcat}
   */
  protected abstract String expectedWebServer();

  /**
   * The name of the starter's tracking filter's bean.
   *
   * @return {@code inflightActivityFilter} (the servlet filter's registration) unless overridden
   */
  protected String filterBean() {
    return "inflightActivityFilter";
  }

  @Override
  protected Server start() throws Exception {
    Streams streams = this::stream;
    ConfigurableApplicationContext h2c = run(streams, null);
    ConfigurableApplicationContext tls;
    ActivityTracker tracker = h2c.getBean(ActivityTracker.class);
    try {
      tls = run(streams, tracker);
      assertThat(tls.getBean(ActivityTracker.class)).isSameAs(tracker);
      for (ConfigurableApplicationContext context : List.of(h2c, tls)) {
        Object server = context.getClass().getMethod("getWebServer").invoke(context);
        assertThat(server.getClass().getSimpleName()).startsWith(expectedWebServer());
        assertThat(context.containsBean(filterBean())).isTrue();
      }
    } catch (Exception | Error e) {
      h2c.close();
      throw e;
    }
    return new Server(
        port(h2c),
        port(tls),
        tracker,
        () -> {
          try {
            tls.close();
          } finally {
            h2c.close(); // closes the tracker, its bean
          }
        });
  }

  /**
   * Starts the application with HTTP/2 on, over TLS when it is given the tracker to share.
   *
   * @param streams the handler's streams
   * @param sharedTracker the tracker to define as the application's own; null for h2c, where the
   *     starter makes it
   * @return the running application
   */
  private ConfigurableApplicationContext run(
      Streams streams, @Nullable ActivityTracker sharedTracker) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--server.http2.enabled=true",
                "--spring.main.banner-mode=off",
                "--inflight.activity.enabled=true"));
    if (sharedTracker != null) {
      TestCertificate certificate = TestCertificate.get();
      args.addAll(
          List.of(
              "--server.ssl.key-store=" + certificate.keyStorePath().toUri(),
              "--server.ssl.key-store-type=PKCS12",
              "--server.ssl.key-store-password=" + certificate.password(),
              "--server.ssl.key-alias=" + TestCertificate.ALIAS,
              "--server.ssl.key-password=" + certificate.password()));
    }
    return new SpringApplicationBuilder(application())
        .initializers(
            context -> {
              context.getBeanFactory().registerSingleton("http2Streams", streams);
              if (sharedTracker != null) {
                context.getBeanFactory().registerSingleton("sharedActivityTracker", sharedTracker);
              }
            })
        .run(args.toArray(String[]::new));
  }

  private static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
  }
}
