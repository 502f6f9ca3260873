package dev.inflight.activity.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.GlobalSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;

class RoundTripPropertyTest {

  /** A row's stream health: how long its backend is quiet, its marks and its orphaned RX. */
  private record Health(
      long backendIdleMillis, boolean stalled, boolean orphaned, long orphanedRx) {}

  private static Gen<Health> health() {
    return SourceDSL.longs()
        .between(0, 100_000_000)
        .zip(
            SourceDSL.booleans().all(),
            SourceDSL.booleans().all(),
            SourceDSL.longs().between(0, Long.MAX_VALUE / 64),
            (idle, stalled, orphaned, rx) ->
                new Health(idle, stalled, orphaned, orphaned ? rx : 0));
  }

  /** A time to first content in milliseconds, or null (none yet) about one time in ten. */
  private static Gen<@Nullable Duration> firstContent() {
    return SourceDSL.longs()
        .between(-1_000_000, 10_000_000)
        .map(ms -> ms < 0 ? null : Duration.ofMillis(ms));
  }

  /** A row's server-sent events: received, sent, and the largest gap between two received. */
  private record Events(long rx, long tx, @Nullable Duration maxGap) {}

  /** Event counts of any size, and a largest gap that is null (no second event) about 1 in 10. */
  private static Gen<Events> events() {
    return SourceDSL.longs()
        .between(0, Long.MAX_VALUE)
        .zip(
            SourceDSL.longs().between(0, Long.MAX_VALUE),
            SourceDSL.longs().between(-10_000_000, 100_000_000),
            (rx, tx, gap) -> new Events(rx, tx, gap < 0 ? null : Duration.ofMillis(gap)));
  }

  private static Gen<ConnectionSnapshot> connections(String backend) {
    return base(backend)
        .zip(
            health(),
            firstContent(),
            events(),
            (c, h, firstContent, events) ->
                new ConnectionSnapshot(
                    c.backend(),
                    c.sessionId(),
                    c.type(),
                    c.model(),
                    c.startedAt(),
                    c.duration(),
                    c.bytesRx(),
                    c.bytesTx(),
                    c.requests(),
                    c.firstByte(),
                    c.idle(),
                    Duration.ofMillis(h.backendIdleMillis()),
                    h.stalled(),
                    h.orphaned(),
                    h.orphanedRx(),
                    firstContent,
                    events.rx(),
                    events.tx(),
                    events.maxGap()));
  }

  private static Gen<ConnectionSnapshot> base(String backend) {
    return SourceDSL.strings()
        .basicMultilingualPlaneAlphabet()
        .ofLengthBetween(1, 40)
        .zip(
            SourceDSL.longs().between(0, Long.MAX_VALUE / 64),
            SourceDSL.longs().between(0, Long.MAX_VALUE / 64),
            SourceDSL.integers().between(1, 5),
            (session, rx, tx, requests) ->
                new ConnectionSnapshot(
                    backend,
                    session,
                    requests % 2 == 0 ? ConnectionType.STREAMING : ConnectionType.NON_STREAMING,
                    requests == 3 ? null : "model-" + requests,
                    Instant.ofEpochMilli(1_700_000_000_000L + rx % 1_000_000),
                    Duration.ofMillis(tx % 10_000_000),
                    rx,
                    tx,
                    requests,
                    requests == 1 ? null : Duration.ofMillis(requests),
                    Duration.ofMillis(rx % 1000)));
  }

  @Test
  void anySnapshotRendersToADocumentThatParsesBackToTheSameNumbers() {
    qt().withExamples(200)
        .forAll(
            SourceDSL.lists().of(connections("b1")).ofSizeBetween(0, 6),
            SourceDSL.lists().of(connections("b2")).ofSizeBetween(0, 6))
        .checkAssert(
            (rows1, rows2) -> {
              List<BackendSnapshot> backends = new ArrayList<>();
              backends.add(
                  new BackendSnapshot("b1", rows1, 1L << 62, 0, new EndCounts(1, 2, 3, 4)));
              backends.add(new BackendSnapshot("b2", rows2, 0, 1L << 61, EndCounts.empty()));
              GlobalSnapshot s =
                  new GlobalSnapshot(
                      true, Instant.ofEpochMilli(1_701_792_000_123L), backends, ended(rows1));
              String json =
                  new String(DiagnosticsJson.create().diagnostics(s), StandardCharsets.UTF_8);
              DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(json);

              assertThat(doc.globalActivity().totalActiveConnections())
                  .isEqualTo(s.totalActiveConnections());
              assertThat(doc.globalActivity().totalBytesRx()).isEqualTo(s.totalBytesRx());
              assertThat(doc.globalActivity().totalBytesTx()).isEqualTo(s.totalBytesTx());
              assertThat(doc.globalActivity().cumulativeBytesRx()).isEqualTo(s.cumulativeBytesRx());
              assertThat(doc.globalActivity().completedConnections()).isEqualTo(10);
              assertThat(doc.globalActivity().stalledConnections())
                  .isEqualTo(
                      count(rows1, ConnectionSnapshot::stalled)
                          + count(rows2, ConnectionSnapshot::stalled));
              assertThat(doc.globalActivity().orphanedConnections())
                  .isEqualTo(
                      count(rows1, ConnectionSnapshot::orphaned)
                          + count(rows2, ConnectionSnapshot::orphaned));
              for (int b = 0; b < 2; b++) {
                List<ConnectionSnapshot> expected = s.backends().get(b).connections();
                ActivityView activity = doc.instances().get(b).activity();
                assertThat(activity.stalledConnections())
                    .isEqualTo(count(expected, ConnectionSnapshot::stalled));
                assertThat(activity.orphanedConnections())
                    .isEqualTo(count(expected, ConnectionSnapshot::orphaned));
                List<ConnectionView> actual = activity.connections();
                assertThat(actual).hasSameSizeAs(expected);
                for (int i = 0; i < expected.size(); i++) {
                  ConnectionSnapshot e = expected.get(i);
                  ConnectionView a = actual.get(i);
                  assertThat(a.sessionId()).isEqualTo(e.sessionId());
                  assertThat(a.bytesRx()).isEqualTo(e.bytesRx());
                  assertThat(a.bytesTx()).isEqualTo(e.bytesTx());
                  assertThat(a.requests()).isEqualTo(e.requests());
                  assertThat(a.model()).isEqualTo(e.model());
                  assertThat(a.connectionType()).isEqualTo(e.type().wireName());
                  assertThat(Math.round(a.durationSeconds() * 1000))
                      .isEqualTo(e.duration().toMillis());
                  assertThat(Math.round(a.backendIdleSeconds() * 1000))
                      .isEqualTo(e.backendIdle().toMillis());
                  assertThat(a.stalled()).isEqualTo(e.stalled());
                  assertThat(a.orphaned()).isEqualTo(e.orphaned());
                  assertThat(a.orphanedRxBytes()).isEqualTo(e.bytesRxOrphaned());
                  assertThat(a.backlogBytes()).isEqualTo(e.bytesRx() - e.bytesTx());
                  assertThat(millis(a.firstContentSeconds())).isEqualTo(millis(e.firstContent()));
                  assertThat(a.eventsRx()).isEqualTo(e.eventsRx());
                  assertThat(a.eventsTx()).isEqualTo(e.eventsTx());
                  assertThat(millis(a.maxEventGapSeconds())).isEqualTo(millis(e.maxEventGap()));
                }
              }
              assertThat(doc.recent()).hasSameSizeAs(s.recent());
              for (int i = 0; i < s.recent().size(); i++) {
                EndedConnection e = s.recent().get(i);
                EndedConnectionView a = doc.recent().get(i);
                assertThat(a.sessionId()).isEqualTo(e.sessionId());
                assertThat(a.reason()).isEqualTo(e.reason().wireName());
                assertThat(a.orphanedRxBytes()).isEqualTo(e.bytesRxOrphaned());
                assertThat(millis(a.firstByteSeconds())).isEqualTo(millis(e.firstByte()));
                assertThat(millis(a.firstContentSeconds())).isEqualTo(millis(e.firstContent()));
                assertThat(a.eventsRx()).isEqualTo(e.eventsRx());
                assertThat(a.eventsTx()).isEqualTo(e.eventsTx());
                assertThat(millis(a.maxEventGapSeconds())).isEqualTo(millis(e.maxEventGap()));
              }
            });
  }

  /** The rows as if each had just ended, its reason chosen by its position. */
  private static List<EndedConnection> ended(List<ConnectionSnapshot> rows) {
    List<EndedConnection> ended = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      ConnectionSnapshot c = rows.get(i);
      ended.add(
          new EndedConnection(
              c.backend(),
              c.sessionId(),
              c.type(),
              c.model(),
              c.startedAt(),
              c.duration(),
              c.firstByte(),
              c.bytesRx(),
              c.bytesTx(),
              c.requests(),
              EndReason.values()[i % EndReason.values().length],
              c.bytesRxOrphaned(),
              c.firstContent(),
              c.eventsRx(),
              c.eventsTx(),
              c.maxEventGap()));
    }
    return ended;
  }

  /** Seconds as whole milliseconds, null staying null. */
  private static @Nullable Long millis(@Nullable Double seconds) {
    return seconds == null ? null : Math.round(seconds * 1000);
  }

  private static @Nullable Long millis(@Nullable Duration d) {
    return d == null ? null : d.toMillis();
  }

  private static int count(List<ConnectionSnapshot> rows, Predicate<ConnectionSnapshot> mark) {
    return (int) rows.stream().filter(mark).count();
  }
}
