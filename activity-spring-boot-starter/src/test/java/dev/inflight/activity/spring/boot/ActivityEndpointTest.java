package dev.inflight.activity.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.json.SessionIdDisplay;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;

/**
 * The Actuator endpoint shows session ids as Boot shows sensitive values: hidden unless its
 * properties say, then as the diagnostics policy shows them.
 */
class ActivityEndpointTest {

  private static final String SESSION = "user-4711-conversation-9";

  private ActivityTracker tracker;
  private ActivityHandle row;

  @BeforeEach
  void openARow() {
    tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    row = tracker.open("openai.1", SESSION, ConnectionType.STREAMING, "gpt-test");
  }

  @AfterEach
  void close() {
    row.close();
    tracker.close();
  }

  @Test
  void byDefaultSessionIdsAreHiddenAndTheDocumentSaysHowToShowThem() throws Exception {
    ActivityEndpoint endpoint = new ActivityEndpoint(tracker, DiagnosticsJson.create());
    Map<String, Object> doc = endpoint.activity();
    String json = new ObjectMapper().writeValueAsString(doc);
    assertThat(json).doesNotContain(SESSION).contains(SessionIdDisplay.HIDDEN_VALUE);
    assertThat(doc)
        .containsEntry(ActivityEndpoint.SESSION_IDS_FIELD, ActivityEndpoint.SESSION_IDS_HIDDEN);
    assertThat(ActivityEndpoint.SESSION_IDS_HIDDEN)
        .contains("inflight.activity.actuator.show-session-ids");
    // the note comes last, after the fields of the /v1/diagnostics document
    assertThat(doc.keySet()).last().isEqualTo(ActivityEndpoint.SESSION_IDS_FIELD);
  }

  @Test
  void neverHidesThemEvenFromAnAuthorizedCaller() throws Exception {
    ActivityEndpoint endpoint = endpoint(Show.NEVER, Set.of());
    assertThat(render(endpoint, caller("admin", "ADMIN"))).doesNotContain(SESSION);
  }

  @Test
  void alwaysShowsThemAsThePolicySays() throws Exception {
    assertThat(render(endpoint(Show.ALWAYS, Set.of()), SecurityContext.NONE))
        .contains(SessionIdDisplay.HASHED.show(SESSION))
        .doesNotContain(SESSION)
        .doesNotContain(ActivityEndpoint.SESSION_IDS_FIELD);
    ActivityEndpoint full =
        new ActivityEndpoint(
            tracker,
            DiagnosticsJson.create(),
            DiagnosticsPolicy.loopbackOnly(),
            Show.ALWAYS,
            Set.of());
    assertThat(render(full, SecurityContext.NONE)).contains("\"" + SESSION + "\"");
  }

  @Test
  void whenAuthorizedShowsThemOnlyToAnAuthenticatedCallerWithARole() throws Exception {
    ActivityEndpoint endpoint = endpoint(Show.WHEN_AUTHORIZED, Set.of("OPS"));
    String shown = SessionIdDisplay.HASHED.show(SESSION);
    assertThat(render(endpoint, SecurityContext.NONE)).doesNotContain(shown);
    assertThat(render(endpoint, caller("alice", "USER"))).doesNotContain(shown);
    assertThat(render(endpoint, caller("bob", "OPS"))).contains(shown);
    // no roles: any authenticated caller
    ActivityEndpoint anyone = endpoint(Show.WHEN_AUTHORIZED, Set.of());
    assertThat(render(anyone, caller("alice", "USER"))).contains(shown);
    assertThat(render(anyone, SecurityContext.NONE)).doesNotContain(shown);
  }

  private ActivityEndpoint endpoint(Show show, Set<String> roles) {
    return new ActivityEndpoint(
        tracker,
        DiagnosticsJson.create(),
        DiagnosticsPolicy.loopbackOnly().withSessionIds(SessionIdDisplay.HASHED),
        show,
        roles);
  }

  private static String render(ActivityEndpoint endpoint, SecurityContext caller) throws Exception {
    return new ObjectMapper().writeValueAsString(endpoint.activity(caller));
  }

  private static SecurityContext caller(String name, String role) {
    return new SecurityContext() {
      @Override
      public @Nullable Principal getPrincipal() {
        return () -> name;
      }

      @Override
      public boolean isUserInRole(String r) {
        return role.equals(r);
      }
    };
  }
}
