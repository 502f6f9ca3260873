package dev.inflight.activity.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.spring.boot.testing.NetworkAddresses;
import dev.inflight.activity.spring.boot.testing.ProxyApplication;
import dev.inflight.activity.spring.boot.testing.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.AbstractFilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The starter in a Tomcat 11 application with Spring Security and a {@code SecurityFilterChain} of
 * its own, the server on every address, {@code /actuator/activity} exposed with {@code
 * show-session-ids=when-authorized} and {@code roles=ADMIN}. Two applications:
 *
 * <ul>
 *   <li>locked down: every request must authenticate (HTTP Basic). The diagnostics filter runs
 *       before Spring Security's filter, so the diagnostics paths keep the loopback rule and only
 *       it: a remote peer is refused even with an admin's credentials, a loopback client is served
 *       without any. {@code /actuator/activity} is behind the chain.
 *   <li>role-guarded, the README's recipe: {@code inflight.activity.filter-order} right after
 *       Spring Security's filter and a {@code DiagnosticsPolicy} that lets everyone through, while
 *       the chain requires the role ADMIN for {@code /v1/diagnostics/**}: the chain decides, for
 *       remote peers and loopback clients alike.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringSecurityTest {

  private static final String ADMIN = basic("admin", "admin-secret");
  private static final String VIEWER = basic("viewer", "viewer-secret");
  private static final String WRONG = basic("admin", "not-the-password");

  private static final List<String> DIAGNOSTICS =
      List.of("/v1/diagnostics", "/v1/diagnostics/activity", "/v1/diagnostics/ui");

  private static final String REFUSED =
      "{\"error\":\"forbidden\",\"detail\":\"diagnostics are served to local clients only\"}";
  private static final String IDS_HIDDEN =
      "\"session_ids\":\"hidden: set inflight.activity.actuator.show-session-ids to always or"
          + " when-authorized to show them\"";

  private ConfigurableApplicationContext lockedDown;
  private ConfigurableApplicationContext roleGuarded;

  /** Every request authenticated by HTTP Basic; the starter's defaults otherwise. */
  @Configuration(proxyBeanMethods = false)
  static class LockedDown {
    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
          .httpBasic(Customizer.withDefaults())
          .build();
    }

    @Bean
    UserDetailsService users() {
      return SpringSecurityTest.users();
    }
  }

  /** The README's recipe: the chain decides who reads the diagnostics. */
  @Configuration(proxyBeanMethods = false)
  static class RoleGuarded {
    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(
              a ->
                  a.requestMatchers("/v1/diagnostics/**")
                      .hasRole("ADMIN")
                      .anyRequest()
                      .authenticated())
          .httpBasic(Customizer.withDefaults())
          .build();
    }

    @Bean
    DiagnosticsPolicy diagnosticsPolicy() {
      return DiagnosticsPolicy.loopbackOnly().withAccess((remote, local, headers) -> true);
    }

    @Bean
    UserDetailsService users() {
      return SpringSecurityTest.users();
    }
  }

  private static UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("admin").password("{noop}admin-secret").roles("ADMIN").build(),
        User.withUsername("viewer").password("{noop}viewer-secret").roles("VIEWER").build());
  }

  @BeforeAll
  void start() {
    lockedDown = run(LockedDown.class);
    roleGuarded =
        run(
            RoleGuarded.class,
            "--inflight.activity.filter-order="
                + (SecurityFilterProperties.DEFAULT_FILTER_ORDER + 1));
  }

  @AfterAll
  void stop() {
    for (ConfigurableApplicationContext c :
        new ConfigurableApplicationContext[] {lockedDown, roleGuarded}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static ConfigurableApplicationContext run(Class<?> security, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--server.address=0.0.0.0",
                "--spring.main.banner-mode=off",
                "--inflight.activity.enabled=true",
                "--management.endpoints.web.exposure.include=health,activity",
                "--inflight.activity.actuator.show-session-ids=when-authorized",
                "--inflight.activity.actuator.roles=ADMIN"));
    args.addAll(List.of(more));
    return SpringApplication.run(
        new Class<?>[] {ProxyApplication.class, security}, args.toArray(String[]::new));
  }

  @Test
  void theDiagnosticsFilterRunsBeforeSpringSecurityByDefaultAndAfterItWithTheRecipe() {
    assertThat(order(lockedDown, "inflightDiagnosticsFilter")).isEqualTo(Integer.MIN_VALUE + 1);
    assertThat(order(lockedDown, "securityFilterChainRegistration")).isEqualTo(-100);
    assertThat(SecurityFilterProperties.DEFAULT_FILTER_ORDER).isEqualTo(-100);
    assertThat(order(roleGuarded, "inflightActivityFilter")).isEqualTo(-99);
    assertThat(order(roleGuarded, "inflightDiagnosticsFilter")).isEqualTo(-98);
    assertThat(order(roleGuarded, "securityFilterChainRegistration")).isEqualTo(-100);
  }

  @Test
  @SuppressWarnings("try") // the row is opened for the documents to show it
  void aRemotePeerIsRefusedTheDiagnosticsEvenWithAnAdminsCredentials() throws Exception {
    String session = "s-sec-remote-" + UUID.randomUUID();
    try (ActivityHandle row = open(lockedDown, session)) {
      String remote = remoteBase(lockedDown);
      for (String path : DIAGNOSTICS) {
        for (Map<String, String> headers :
            List.of(
                Map.<String, String>of(),
                Map.of("Authorization", ADMIN),
                Map.of(
                    "Authorization", ADMIN, "X-Forwarded-For", "127.0.0.1", "Host", "localhost"))) {
          RawHttp.Answer r = get(remote + path, headers);
          assertThat(r.status()).as("%s with %s", path, headers.keySet()).isEqualTo(403);
          assertThat(r.body()).as("%s with %s", path, headers.keySet()).isEqualTo(REFUSED);
          assertThat(r.headers().toString()).doesNotContain(session);
        }
      }
      // the same server shows the row over loopback: the refusals above are not an empty table
      assertThat(get(localBase(lockedDown) + "/v1/diagnostics", Map.of()).body())
          .contains("\"session_id\":\"" + session + "\"");
    }
  }

  @Test
  @SuppressWarnings("try")
  void aLoopbackClientReadsTheDiagnosticsWithoutCredentialsTheirFilterAnsweringBeforeTheChain()
      throws Exception {
    String session = "s-sec-local-" + UUID.randomUUID();
    try (ActivityHandle row = open(lockedDown, session)) {
      String local = localBase(lockedDown);
      for (Map<String, String> headers :
          List.of(Map.<String, String>of(), Map.of("Authorization", WRONG))) {
        RawHttp.Answer full = get(local + "/v1/diagnostics", headers);
        assertThat(full.status()).isEqualTo(200);
        assertThat(full.headers()).doesNotContainKey("www-authenticate");
        assertThat(full.body()).contains("\"session_id\":\"" + session + "\"");
        RawHttp.Answer activity = get(local + "/v1/diagnostics/activity", headers);
        assertThat(activity.status()).isEqualTo(200);
        assertThat(activity.body()).contains("\"total_active_connections\":1");
        RawHttp.Answer page = get(local + "/v1/diagnostics/ui", headers);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().get("content-type")).startsWith("text/html");
      }
      // while everything else on loopback asks for credentials
      RawHttp.Answer health = get(local + "/actuator/health", Map.of());
      assertThat(health.status()).isEqualTo(401);
      assertThat(health.headers().get("www-authenticate")).isEqualTo("Basic realm=\"Realm\"");
    }
  }

  @Test
  @SuppressWarnings("try")
  void theActuatorEndpointIsBehindTheChainAndShowsIdsOnlyToTheRole() throws Exception {
    String session = "s-sec-actuator-" + UUID.randomUUID();
    try (ActivityHandle row = open(lockedDown, session)) {
      for (String base : List.of(localBase(lockedDown), remoteBase(lockedDown))) {
        String uri = base + "/actuator/activity";
        RawHttp.Answer anonymous = get(uri, Map.of());
        assertThat(anonymous.status()).as(uri).isEqualTo(401);
        assertThat(anonymous.headers().get("www-authenticate")).isEqualTo("Basic realm=\"Realm\"");
        assertThat(anonymous.body()).isEmpty();

        RawHttp.Answer wrong = get(uri, Map.of("Authorization", WRONG));
        assertThat(wrong.status()).as(uri).isEqualTo(401);
        assertThat(wrong.body()).isEmpty();

        RawHttp.Answer admin = get(uri, Map.of("Authorization", ADMIN));
        assertThat(admin.status()).as(uri).isEqualTo(200);
        assertThat(admin.body())
            .contains("\"session_id\":\"" + session + "\"")
            .doesNotContain("\"session_ids\":");

        RawHttp.Answer viewer = get(uri, Map.of("Authorization", VIEWER));
        assertThat(viewer.status()).as(uri).isEqualTo(200);
        assertThat(viewer.body())
            .doesNotContain(session)
            .contains("\"session_id\":\"******\"")
            .endsWith(IDS_HIDDEN + "}");
      }
    }
  }

  @Test
  @SuppressWarnings("try")
  void withTheRecipeTheChainDecidesWhoReadsTheDiagnostics() throws Exception {
    String session = "s-sec-recipe-" + UUID.randomUUID();
    try (ActivityHandle row = open(roleGuarded, session)) {
      for (String base : List.of(remoteBase(roleGuarded), localBase(roleGuarded))) {
        for (String path : DIAGNOSTICS) {
          String uri = base + path;
          RawHttp.Answer admin = get(uri, Map.of("Authorization", ADMIN));
          assertThat(admin.status()).as(uri).isEqualTo(200);
          if (path.equals("/v1/diagnostics")) {
            assertThat(admin.body()).as(uri).contains("\"session_id\":\"" + session + "\"");
          }

          RawHttp.Answer anonymous = get(uri, Map.of());
          assertThat(anonymous.status()).as(uri).isEqualTo(401);
          assertThat(anonymous.headers().get("www-authenticate"))
              .isEqualTo("Basic realm=\"Realm\"");
          assertThat(anonymous.body()).as(uri).isEmpty();

          RawHttp.Answer viewer = get(uri, Map.of("Authorization", VIEWER));
          assertThat(viewer.status()).as(uri).isEqualTo(403);
          // Spring Security's access-denied answer, rendered by Boot's error controller
          assertThat(viewer.body())
              .as(uri)
              .doesNotContain(session)
              .matches(
                  "\\{\"timestamp\":\"[^\"]+\",\"status\":403,\"error\":\"Forbidden\",\"path\":\""
                      + Pattern.quote(path)
                      + "\"}");
        }
      }
    }
  }

  private static int order(ConfigurableApplicationContext context, String name) {
    return context.getBean(name, AbstractFilterRegistrationBean.class).getOrder();
  }

  private static ActivityHandle open(ConfigurableApplicationContext context, String session) {
    return context
        .getBean(ActivityTracker.class)
        .open("openai.1", session, ConnectionType.STREAMING, null);
  }

  private static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
  }

  private static String localBase(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + port(context);
  }

  private static String remoteBase(ConfigurableApplicationContext context) {
    return "http://" + NetworkAddresses.nonLoopbackIpv4().getHostAddress() + ":" + port(context);
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static RawHttp.Answer get(String uri, Map<String, String> headers) {
    try {
      return RawHttp.get(URI.create(uri), headers);
    } catch (IOException e) {
      throw new AssertionError("GET " + uri + " failed", e);
    }
  }
}
