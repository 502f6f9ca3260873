package dev.inflight.activity.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.DiagnosticsAccess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one policy: who may read, how session ids appear; every door takes it from here. */
class DiagnosticsPolicyTest {

  private static final String SESSION = "user-42-conversation-7";
  private static final DiagnosticsAccess.Headers NO_HEADERS = name -> null;

  private final ActivityTracker tracker =
      ActivityTracker.create(
          ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());

  @AfterEach
  void close() {
    tracker.close();
  }

  private DiagnosticsResponse get(DiagnosticsEndpoint endpoint, String path) {
    return endpoint.handle("GET", path, "127.0.0.1", "127.0.0.1", NO_HEADERS);
  }

  private static String text(DiagnosticsResponse r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void eachDisplayShowsTheIdItsOwnWay() {
    assertThat(SessionIdDisplay.FULL.show(SESSION)).isEqualTo(SESSION);
    assertThat(SessionIdDisplay.TRUNCATED.show(SESSION)).isEqualTo("user-42-...");
    assertThat(SessionIdDisplay.TRUNCATED.show("short")).isEqualTo("short");
    assertThat(SessionIdDisplay.HASHED.show(SESSION))
        .matches("sha256:[0-9a-f]{16}")
        .isEqualTo(SessionIdDisplay.HASHED.show(SESSION))
        .isNotEqualTo(SessionIdDisplay.HASHED.show(SESSION + "x"));
    assertThat(SessionIdDisplay.HIDDEN.show(SESSION)).isEqualTo(SessionIdDisplay.HIDDEN_VALUE);
    assertThat(SessionIdDisplay.HIDDEN.show("other")).isEqualTo("******");
  }

  @Test
  void theDefaultIsTheLoopbackRuleWithFullIds() {
    DiagnosticsPolicy p = DiagnosticsPolicy.loopbackOnly();
    assertThat(p.sessionIds()).isEqualTo(SessionIdDisplay.FULL);
    assertThat(p.allows("127.0.0.1", "127.0.0.1", NO_HEADERS)).isTrue();
    assertThat(p.allows("192.0.2.7", "127.0.0.1", NO_HEADERS)).isFalse();
    assertThat(p.allows("127.0.0.1", "192.0.2.2", NO_HEADERS)).isFalse();
    assertThat(p.allows("127.0.0.1", null, name -> name.equals("Forwarded") ? "for=1.2.3.4" : null))
        .isFalse();
    assertThat(p.showSessionId(SESSION)).isEqualTo(SESSION);
  }

  @Test
  void anApplicationRuleReplacesTheLoopbackRuleAndSeesTheRequest() {
    List<String> seen = new ArrayList<>();
    DiagnosticsPolicy p =
        DiagnosticsPolicy.loopbackOnly()
            .withAccess(
                (remote, local, headers) -> {
                  seen.add(remote + " " + local);
                  return "s3cret".equals(headers.get("X-Admin-Token"));
                });
    assertThat(p.allows("192.0.2.7", "192.0.2.2", name -> "s3cret")).isTrue();
    assertThat(p.allows("127.0.0.1", "127.0.0.1", NO_HEADERS)).isFalse();
    assertThat(seen).containsExactly("192.0.2.7 192.0.2.2", "127.0.0.1 127.0.0.1");
    assertThat(p.sessionIds()).isEqualTo(SessionIdDisplay.FULL);
  }

  @Test
  void aRuleThatThrowsRefuses() {
    DiagnosticsPolicy p =
        DiagnosticsPolicy.loopbackOnly()
            .withAccess(
                (remote, local, headers) -> {
                  throw new IllegalStateException("token store down");
                });
    assertThat(p.allows("127.0.0.1", "127.0.0.1", NO_HEADERS)).isFalse();
    DiagnosticsEndpoint endpoint =
        DiagnosticsEndpoint.create(() -> tracker, DiagnosticsJson.create(), p);
    assertThat(get(endpoint, DiagnosticsEndpoint.DIAGNOSTICS_PATH).status()).isEqualTo(403);
  }

  @Test
  void theEndpointShowsIdsAsThePolicySaysWhateverItsRendererWasMadeWith() {
    tracker.open("openai.1", SESSION, ConnectionType.STREAMING, "gpt-4").close();
    tracker.open("openai.1", SESSION, ConnectionType.STREAMING, "gpt-4"); // open, and one ended
    DiagnosticsEndpoint endpoint =
        DiagnosticsEndpoint.create(
            () -> tracker,
            DiagnosticsJson.create(BackendDirectory.none(), SessionIdDisplay.FULL),
            DiagnosticsPolicy.loopbackOnly().withSessionIds(SessionIdDisplay.HIDDEN));

    String body = text(get(endpoint, DiagnosticsEndpoint.DIAGNOSTICS_PATH));
    assertThat(body).doesNotContain(SESSION).contains("\"session_id\":\"******\"");
    assertThat(DiagnosticsJson.parseDiagnostics(body).instances()).isNotEmpty();
    assertThat(endpoint.policy().sessionIds()).isEqualTo(SessionIdDisplay.HIDDEN);
  }

  @Test
  void aRendererAloneKeepsItsOwnDisplayUnderTheLoopbackRule() {
    tracker.open("openai.1", SESSION, ConnectionType.STREAMING, "gpt-4");
    DiagnosticsEndpoint endpoint =
        DiagnosticsEndpoint.create(
            () -> tracker,
            DiagnosticsJson.create(BackendDirectory.none(), SessionIdDisplay.HASHED));
    assertThat(endpoint.policy().sessionIds()).isEqualTo(SessionIdDisplay.HASHED);
    assertThat(text(get(endpoint, DiagnosticsEndpoint.DIAGNOSTICS_PATH)))
        .doesNotContain(SESSION)
        .contains(SessionIdDisplay.HASHED.show(SESSION));
    assertThat(
            endpoint
                .handle(
                    "GET",
                    DiagnosticsEndpoint.DIAGNOSTICS_PATH,
                    "127.0.0.1",
                    "10.0.0.1",
                    NO_HEADERS)
                .status())
        .isEqualTo(403);
  }

  @Test
  void aBuilderDisplayOverridesThePolicysAndThePolicysRuleHolds() {
    tracker.open("openai.1", SESSION, ConnectionType.STREAMING, "gpt-4");
    DiagnosticsPolicy tokenOnly =
        DiagnosticsPolicy.loopbackOnly()
            .withSessionIds(SessionIdDisplay.HIDDEN)
            .withAccess((remote, local, headers) -> headers.get("X-Admin-Token") != null);
    DiagnosticsEndpoint endpoint =
        new DiagnosticsBuilderTest.Builder()
            .tracker(tracker)
            .sessionIdDisplay(SessionIdDisplay.TRUNCATED)
            .policy(tokenOnly)
            .build();

    assertThat(get(endpoint, DiagnosticsEndpoint.DIAGNOSTICS_PATH).status()).isEqualTo(403);
    DiagnosticsResponse withToken =
        endpoint.handle(
            "GET", DiagnosticsEndpoint.DIAGNOSTICS_PATH, "192.0.2.7", "192.0.2.2", name -> "t");
    assertThat(withToken.status()).isEqualTo(200);
    assertThat(text(withToken)).contains("\"user-42-...\"").doesNotContain(SESSION);
  }
}
