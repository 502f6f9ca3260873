package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.DiagnosticsAccess.Decision;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiagnosticsAccessTest {

  /** Headers looked up case-insensitively, as containers do. */
  private static DiagnosticsAccess.Headers headers(String... nameValues) {
    Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < nameValues.length; i += 2) {
      map.put(nameValues[i], nameValues[i + 1]);
    }
    return map::get;
  }

  private static Decision decide(String remote, String... nameValues) {
    return DiagnosticsAccess.decide(remote, headers(nameValues));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.1.2.3",
        "127.255.255.254",
        " 127.0.0.1 ",
        "::1",
        "0:0:0:0:0:0:0:1",
        "0000:0000:0000:0000:0000:0000:0000:0001",
        "[::1]",
        "::1%lo",
        "[::1%1]",
        "::ffff:127.0.0.1",
        "[::ffff:127.0.0.2]",
        "::ffff:7f00:1",
      })
  void loopbackAddressesAreAllowed(String remote) {
    assertThat(DiagnosticsAccess.isLoopbackAddress(remote)).isTrue();
    assertThat(decide(remote)).isEqualTo(Decision.ALLOWED);
    assertThat(decide(remote, "Host", "localhost:8000")).isEqualTo(Decision.ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.1",
        "192.168.1.20",
        "128.0.0.1",
        "0.0.0.0",
        "::",
        "::2",
        "2001:db8::1",
        "fe80::1%eth0",
        "::ffff:10.0.0.1",
        "::ffff:8.8.8.8",
        "127.0.0",
        "127.0.0.1.5",
        "127.0.0.256",
        "127.0.0.-1",
        "0127.0.0.1",
        "127.0.0.1.evil.com",
        "[127.0.0.1",
        "",
        "   ",
        "garbage",
        "::1::1",
        "::g",
        "1::2::3",
      })
  void otherAddressesAndGarbageAreRefused(String remote) {
    assertThat(DiagnosticsAccess.isLoopbackAddress(remote)).isFalse();
    assertThat(decide(remote)).isEqualTo(Decision.REMOTE_ADDRESS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LOCALHOST", "ip6-localhost", "localhost.localdomain"})
  void hostNamesAreRefusedAsAddressesWithoutAskingDns(String name) {
    // each of these resolves to loopback through /etc/hosts: refusing them proves no lookup
    assertThat(DiagnosticsAccess.isLoopbackAddress(name)).isFalse();
    assertThat(decide(name)).isEqualTo(Decision.REMOTE_ADDRESS);
  }

  @Test
  void anUnknownRemoteAddressIsRefused() {
    assertThat(DiagnosticsAccess.decide(null, headers())).isEqualTo(Decision.REMOTE_ADDRESS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Forwarded", "X-Forwarded-For", "X-Real-IP", "x-forwarded-for"})
  void forwardingHeadersAreRefusedEvenFromLoopback(String header) {
    assertThat(decide("127.0.0.1", header, "127.0.0.1")).isEqualTo(Decision.FORWARDED);
    assertThat(decide("::1", header, "")).isEqualTo(Decision.FORWARDED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "localhost:8000",
        "LocalHost:80",
        "localhost.",
        "127.0.0.1",
        "127.0.0.1:8080",
        "127.9.9.9:1",
        "[::1]",
        "[::1]:8000",
        "[::ffff:127.0.0.1]:65535",
      })
  void loopbackHostHeadersAreAllowed(String host) {
    assertThat(DiagnosticsAccess.isLoopbackHost(host)).isTrue();
    assertThat(decide("127.0.0.1", "Host", host)).isEqualTo(Decision.ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "evil.com",
        "evil.com:8000",
        "127.0.0.1.evil.com",
        "localhost.evil.com",
        "evil-localhost",
        "10.0.0.1:8000",
        "[2001:db8::1]:8000",
        "localhost:",
        "localhost:abc",
        "localhost:123456",
        "localhost:80:80",
        "localhost:-1",
        "[::1]x",
        "[::1]:",
        "[::1",
        "::1",
        ":8000",
        "",
      })
  void foreignOrMalformedHostHeadersAreRefused(String host) {
    assertThat(DiagnosticsAccess.isLoopbackHost(host)).isFalse();
    assertThat(decide("127.0.0.1", "Host", host)).isEqualTo(Decision.FOREIGN_HOST);
  }

  @Test
  void aMissingHostHeaderIsAllowed() {
    assertThat(decide("127.0.0.1")).isEqualTo(Decision.ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://localhost:3000",
        "http://localhost",
        "https://localhost:8443",
        "HTTP://LOCALHOST:3000",
        "http://127.0.0.1:5173",
        "http://[::1]:8080",
        "http://localhost:3000/",
      })
  void loopbackOriginsAreAllowed(String origin) {
    assertThat(decide("127.0.0.1", "Host", "localhost:8000", "Origin", origin))
        .isEqualTo(Decision.ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://evil.com",
        "http://evil.com:3000",
        "null",
        "http://localhost.evil.com",
        "http://127.0.0.1.evil.com",
        "file://",
        "ftp://localhost",
        "localhost:3000",
        "http://",
        "http://localhost:3000/path",
        "http://user@evil.com",
        "",
      })
  void foreignOriginsAreRefused(String origin) {
    assertThat(decide("127.0.0.1", "Host", "localhost:8000", "Origin", origin))
        .isEqualTo(Decision.FOREIGN_ORIGIN);
  }

  @Test
  void theFirstFailingRuleIsReported() {
    assertThat(decide("10.0.0.1", "X-Forwarded-For", "1.2.3.4", "Host", "evil.com"))
        .isEqualTo(Decision.REMOTE_ADDRESS);
    assertThat(decide("127.0.0.1", "X-Real-IP", "1.2.3.4", "Host", "evil.com"))
        .isEqualTo(Decision.FORWARDED);
    assertThat(decide("127.0.0.1", "Host", "evil.com", "Origin", "https://evil.com"))
        .isEqualTo(Decision.FOREIGN_HOST);
  }

  @Test
  void onlyAllowedIsAllowed() {
    for (Decision d : Decision.values()) {
      assertThat(d.allowed())
          .as(d.name().toLowerCase(Locale.ROOT))
          .isEqualTo(d == Decision.ALLOWED);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"192.0.2.2", "10.0.0.1", "fd00::2", "0.0.0.0", "::", "localhost", ""})
  void aConnectionThatArrivedOnANonLoopbackAddressIsRefusedWhateverItsPeerClaims(String local) {
    // what a forwarded-header rewrite (RemoteIpValve, ForwardedHeaderFilter) leaves: a loopback
    // remote address, no forwarding header left, a loopback Host
    assertThat(DiagnosticsAccess.decide("127.0.0.1", local, headers("Host", "localhost:8000")))
        .isEqualTo(Decision.LOCAL_ADDRESS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.0.1.1", "::1", "0:0:0:0:0:0:0:1", "[::1]"})
  void aConnectionToALoopbackAddressIsAllowed(String local) {
    assertThat(DiagnosticsAccess.decide("127.0.0.1", local, headers("Host", "localhost:8000")))
        .isEqualTo(Decision.ALLOWED);
  }

  @Test
  void anUnknownLocalAddressLeavesTheDecisionToTheOtherRules() {
    assertThat(DiagnosticsAccess.decide("127.0.0.1", null, headers())).isEqualTo(Decision.ALLOWED);
    assertThat(DiagnosticsAccess.decide("10.1.1.1", null, headers()))
        .isEqualTo(Decision.REMOTE_ADDRESS);
  }

  @Test
  void theRemoteAddressIsJudgedBeforeTheLocalOne() {
    assertThat(DiagnosticsAccess.decide("10.1.1.1", "10.1.1.2", headers()))
        .isEqualTo(Decision.REMOTE_ADDRESS);
    assertThat(DiagnosticsAccess.decide("127.0.0.1", "10.1.1.2", headers("X-Real-IP", "1.2.3.4")))
        .isEqualTo(Decision.LOCAL_ADDRESS);
  }
}
