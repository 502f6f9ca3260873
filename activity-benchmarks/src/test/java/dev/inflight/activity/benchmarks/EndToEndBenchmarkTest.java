package dev.inflight.activity.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.BackendSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every server variant streams whole rounds and passes its end-of-trial checks. */
class EndToEndBenchmarkTest {

  private EndToEndBenchmark.Proxy proxy = new EndToEndBenchmark.Proxy();

  static Iterable<String> variants() {
    return ServerCpuPerMegabyte.variants("all,netty,switched-all,switched-parts");
  }

  private void start(String variant) throws Exception {
    proxy.variant = variant;
    proxy.clients = 2;
    proxy.chunks = 8;
    proxy.chunkBytes = 256;
    proxy.setUp();
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy.server != null) {
      proxy.server.stop();
    }
  }

  @ParameterizedTest
  @MethodSource("variants")
  void everyVariantStreamsWholeRoundsAndPassesItsChecks(String variant) throws Exception {
    start(variant);
    proxy.server.select();

    long bytes = EndToEndBenchmark.round(proxy) + EndToEndBenchmark.round(proxy);

    assertThat(bytes).isEqualTo(2 * 2 * 8 * 256);
    EndToEndBenchmark.Proxy done = proxy;
    proxy = new EndToEndBenchmark.Proxy();
    done.tearDown();
  }

  @ParameterizedTest
  @ValueSource(strings = {"enabled", "netty-enabled"})
  void aTrackerThatDisagreesWithTheClientsFailsTheRun(String variant) throws Exception {
    start(variant);
    EndToEndBenchmark.round(proxy);
    proxy.received.addAndGet(1); // as if a byte had reached the clients uncounted

    EndToEndBenchmark.Proxy done = proxy;
    proxy = new EndToEndBenchmark.Proxy();
    assertThatThrownBy(done::tearDown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tracker disagrees with the clients");
  }

  @Test
  void switchedVariantsShareOneServerAndRunTheSelectedOnesCode() throws Exception {
    start("switched-enabled");
    EndToEndBenchmark.Proxy enabled = proxy;
    proxy = new EndToEndBenchmark.Proxy();
    start("switched-none");
    EndToEndBenchmark.Proxy none = proxy;
    try {
      assertThat(none.server.port()).isEqualTo(enabled.server.port());

      none.server.select();
      EndToEndBenchmark.round(none);
      assertThat(enabled.tracker.getTotals()).as("nothing tracked while none runs").isEmpty();

      enabled.server.select();
      assertThat(EndToEndBenchmark.round(enabled)).isEqualTo(2 * 8 * 256);

      none.server.select();
      EndToEndBenchmark.round(none);
      // enabled's tear-down checks that its tracker counted exactly its own round, none of none's
      proxy = new EndToEndBenchmark.Proxy();
      none.tearDown();
      enabled.tearDown(); // the last user stops the server
    } finally {
      proxy = new EndToEndBenchmark.Proxy();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"switched-jetty-stats", "switched-micrometer", "switched-dropwizard"})
  void aSwitchedPeerRecordsTheRequestsMadeWhileItIsSelectedAndNoOthers(String peer)
      throws Exception {
    start(peer);
    EndToEndBenchmark.Proxy metered = proxy;
    proxy = new EndToEndBenchmark.Proxy();
    start("switched-none");
    EndToEndBenchmark.Proxy none = proxy;
    try {
      none.server.select();
      EndToEndBenchmark.round(none);
      assertThat(metered.server.requestsRecorded()).hasValue(0);

      metered.server.select();
      EndToEndBenchmark.round(metered);
      none.server.select();
      EndToEndBenchmark.round(none);
      // the peer's tear-down checks that its metrics recorded exactly its own round's streams
      proxy = new EndToEndBenchmark.Proxy();
      none.tearDown();
      metered.tearDown();
    } finally {
      proxy = new EndToEndBenchmark.Proxy();
    }
  }

  @Test
  void thePartsOfEnabledTrackWithTheTrackerOnAndCountOnlyTheirPart() throws Exception {
    start("switched-no-rx");
    EndToEndBenchmark.Proxy noRx = proxy;
    proxy = new EndToEndBenchmark.Proxy();
    start("switched-filter-only");
    EndToEndBenchmark.Proxy filterOnly = proxy;
    try {
      noRx.server.select();
      long sent = EndToEndBenchmark.round(noRx);
      filterOnly.server.select();
      EndToEndBenchmark.round(filterOnly);

      assertThat(noRx.tracker.isEnabled()).isTrue();
      assertThat(filterOnly.tracker.isEnabled()).isTrue();
      BackendSnapshot attached =
          noRx.tracker.getBackendSnapshot(EndToEndBenchmark.BACKEND).orElseThrow();
      assertThat(attached.cumulativeBytesTx()).as("TX into the rows").isEqualTo(sent);
      assertThat(attached.cumulativeBytesRx()).as("nothing read is counted").isZero();
      assertThat(filterOnly.tracker.getBackendSnapshot(EndToEndBenchmark.BACKEND))
          .as("no attach, no row")
          .isEmpty();
      proxy = new EndToEndBenchmark.Proxy();
      noRx.tearDown();
      filterOnly.tearDown();
    } finally {
      proxy = new EndToEndBenchmark.Proxy();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "netty-none"})
  void theServersThreadsAreNamedAfterTheVariant(String variant) throws Exception {
    start(variant);
    EndToEndBenchmark.round(proxy);

    String prefix = EndToEndBenchmark.serverThreadPrefix(variant);
    assertThat(Thread.getAllStackTraces().keySet())
        .anySatisfy(t -> assertThat(t.getName()).startsWith(prefix));
  }

  @Test
  void noVariantsThreadPrefixStartsAnothersThreadNames() {
    List<String> variants = new ArrayList<>(JettySseServer.VARIANTS);
    variants.addAll(NettySseServer.VARIANTS);
    for (String a : variants) {
      for (String b : variants) {
        boolean oneServer =
            a.startsWith(JettySseServer.SWITCHED) && b.startsWith(JettySseServer.SWITCHED);
        if (!a.equals(b) && !oneServer) {
          // a thread of b is named its prefix plus a number, e.g. "bench-jetty-none-2.-17"
          assertThat(EndToEndBenchmark.serverThreadPrefix(b) + "-17")
              .as(a + " against " + b)
              .doesNotStartWith(EndToEndBenchmark.serverThreadPrefix(a));
        }
      }
    }
  }
}
