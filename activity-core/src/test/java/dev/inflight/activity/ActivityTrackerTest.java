package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.inflight.activity.testing.AllocationMeter;
import dev.inflight.activity.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivityTrackerTest {

  private final FakeClock clock = new FakeClock();
  private final ActivityTracker tracker =
      ActivityTracker.create(
          ActivitySettings.builder()
              .enabled(true)
              .clock(clock)
              .sweepInterval(Duration.ZERO)
              .build());

  @AfterEach
  void closeTracker() {
    tracker.close();
  }

  private BackendSnapshot backend(String name) {
    return tracker.getBackendSnapshot(name).orElseThrow();
  }

  private ConnectionSnapshot onlyRow(String backendName) {
    List<ConnectionSnapshot> rows = backend(backendName).connections();
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  @Nested
  class OpenAndClose {

    @Test
    void openShowsOneRowWithWhatTheRequestSaid() {
      ActivityHandle h = tracker.open("openai.1", "abc123", ConnectionType.STREAMING, "gpt-4");

      ConnectionSnapshot row = onlyRow("openai.1");
      assertThat(h.isOpen()).isTrue();
      assertThat(row.backend()).isEqualTo("openai.1");
      assertThat(row.sessionId()).isEqualTo("abc123");
      assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);
      assertThat(row.model()).isEqualTo("gpt-4");
      assertThat(row.startedAt()).isEqualTo(clock.now());
      assertThat(row.requests()).isEqualTo(1);
      assertThat(row.bytesRx()).isZero();
      assertThat(row.bytesTx()).isZero();
      assertThat(row.firstByte()).isNull();
      assertThat(tracker.activeConnections()).isEqualTo(1);
    }

    @Test
    void bytesAddUpOnTheRowWhileItIsOpen() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      h.addRx(100);
      h.addRx(23);
      h.addTx(7);
      h.addTx(0);

      ConnectionSnapshot row = onlyRow("b");
      assertThat(row.bytesRx()).isEqualTo(123);
      assertThat(row.bytesTx()).isEqualTo(7);
      BackendSnapshot b = backend("b");
      assertThat(b.totalBytesRx()).isEqualTo(123);
      assertThat(b.totalBytesTx()).isEqualTo(7);
      assertThat(b.cumulativeBytesRx()).isEqualTo(123);
      assertThat(b.cumulativeBytesTx()).isEqualTo(7);
    }

    @Test
    void closingEndsTheRowAndKeepsItsBytesInTheCumulativeCounters() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.NON_STREAMING, "m");
      h.addRx(10);
      h.addTx(20);
      h.close();

      BackendSnapshot b = backend("b");
      assertThat(h.isOpen()).isFalse();
      assertThat(b.connections()).isEmpty();
      assertThat(b.totalBytesRx()).isZero();
      assertThat(b.totalBytesTx()).isZero();
      assertThat(b.cumulativeBytesRx()).isEqualTo(10);
      assertThat(b.cumulativeBytesTx()).isEqualTo(20);
      assertThat(b.completedConnections()).isEqualTo(1);
      assertThat(b.ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
      assertThat(tracker.activeConnections()).isZero();
    }

    @Test
    void closingTwiceIsHarmless() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.NON_STREAMING, null);
      h.addRx(5);
      h.close();
      h.close();
      h.end(EndReason.ERRORED);

      BackendSnapshot b = backend("b");
      assertThat(b.completedConnections()).isEqualTo(1);
      assertThat(b.ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
      assertThat(b.cumulativeBytesRx()).isEqualTo(5);
    }

    @Test
    void closingOneJoinedHandleTwiceDoesNotEndTheOtherRequest() {
      ActivityHandle first = tracker.open("b", "s", ConnectionType.STREAMING, null);
      ActivityHandle second = tracker.open("b", "s", ConnectionType.STREAMING, null);
      first.close();
      first.close();
      first.end(EndReason.ERRORED);

      assertThat(second.isOpen()).isTrue();
      assertThat(onlyRow("b").requests()).isEqualTo(1);
      second.addTx(3);
      assertThat(onlyRow("b").bytesTx()).isEqualTo(3);
    }

    @Test
    void lateAddsAndClosesAfterTheEndAreIgnoredAndNeverResurrectTheRow() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      h.addRx(1);
      h.addTx(2);
      h.end(EndReason.CLIENT_ABORTED);

      h.addRx(1000);
      h.addTx(1000);
      h.close();
      h.end(EndReason.ERRORED);

      BackendSnapshot b = backend("b");
      assertThat(h.isOpen()).isFalse();
      assertThat(b.connections()).isEmpty();
      assertThat(b.cumulativeBytesRx()).isEqualTo(1);
      assertThat(b.cumulativeBytesTx()).isEqualTo(2);
      assertThat(b.ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
      assertThat(tracker.activeConnections()).isZero();
    }

    @Test
    void anExceptionInsideTryWithResourcesClosesTheHandle() {
      assertThatThrownBy(
              () -> {
                try (ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null)) {
                  h.addRx(42);
                  throw new IllegalStateException("backend broke");
                }
              })
          .isInstanceOf(IllegalStateException.class);

      BackendSnapshot b = backend("b");
      assertThat(b.connections()).isEmpty();
      assertThat(b.completedConnections()).isEqualTo(1);
      assertThat(b.cumulativeBytesRx()).isEqualTo(42);
    }

    @Test
    void reopeningAnEndedSessionStartsAFreshRow() {
      ActivityHandle old = tracker.open("b", "s", ConnectionType.STREAMING, "m1");
      old.addRx(100);
      old.close();
      clock.advance(Duration.ofSeconds(3));

      ActivityHandle fresh = tracker.open("b", "s", ConnectionType.NON_STREAMING, "m2");
      old.close();
      old.addRx(5);

      ConnectionSnapshot row = onlyRow("b");
      assertThat(fresh.isOpen()).isTrue();
      assertThat(row.bytesRx()).isZero();
      assertThat(row.requests()).isEqualTo(1);
      assertThat(row.type()).isEqualTo(ConnectionType.NON_STREAMING);
      assertThat(row.startedAt()).isEqualTo(clock.now());
    }

    @Test
    void durationAndIdleTimeFollowTheClock() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofSeconds(10));
      h.addRx(1);
      tracker.getGlobalSnapshot(); // the snapshot notices the progress at t=10s
      clock.advance(Duration.ofSeconds(4));

      ConnectionSnapshot row = onlyRow("b");
      assertThat(row.duration()).isEqualTo(Duration.ofSeconds(14));
      assertThat(row.idle()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void firstByteTimeIsTakenAtTheFirstByteSentToTheClient() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMillis(100));
      h.addRx(50); // bytes from the backend do not count as the first byte to the client
      assertThat(onlyRow("b").firstByte()).isNull();
      clock.advance(Duration.ofMillis(150));
      h.addTx(1);
      clock.advance(Duration.ofSeconds(5));
      h.addTx(1000);

      assertThat(onlyRow("b").firstByte()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void zeroBytesDoNotCountAsTheFirstByte() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMillis(10));
      h.addTx(0);
      assertThat(onlyRow("b").firstByte()).isNull();
    }

    @Test
    void activeConnectionsCountsRowsNotRequests() {
      tracker.open("b", "s1", ConnectionType.STREAMING, null);
      tracker.open("b", "s1", ConnectionType.STREAMING, null);
      tracker.open("b", "s2", ConnectionType.STREAMING, null);
      tracker.open("other", "s1", ConnectionType.STREAMING, null);

      assertThat(tracker.activeConnections()).isEqualTo(3);
      assertThat(tracker.getGlobalSnapshot().totalActiveConnections()).isEqualTo(3);
    }

    @Test
    void theSameSessionOnTwoBackendsIsTwoRows() {
      ActivityHandle a = tracker.open("a", "s", ConnectionType.STREAMING, null);
      ActivityHandle b = tracker.open("b", "s", ConnectionType.STREAMING, null);
      a.addRx(1);
      b.addRx(2);
      a.close();

      assertThat(backend("a").connections()).isEmpty();
      assertThat(onlyRow("b").bytesRx()).isEqualTo(2);
    }

    @Test
    void newSessionIdsAreDistinctAndShort() {
      Set<String> ids = new java.util.HashSet<>();
      for (int i = 0; i < 1000; i++) {
        ids.add(ActivityTracker.newSessionId());
      }
      assertThat(ids).hasSize(1000).allMatch(id -> id.matches("gen-[0-9a-f]{16}"));
    }
  }

  @Nested
  class Joins {

    @Test
    void aSecondRequestForTheSameSessionJoinsTheRow() {
      ActivityHandle first = tracker.open("b", "s", ConnectionType.STREAMING, "m");
      ActivityHandle second = tracker.open("b", "s", ConnectionType.STREAMING, "m");
      first.addRx(100);
      second.addRx(11);
      first.addTx(50);
      second.addTx(5);

      ConnectionSnapshot row = onlyRow("b");
      assertThat(row.requests()).isEqualTo(2);
      assertThat(row.bytesRx()).isEqualTo(111);
      assertThat(row.bytesTx()).isEqualTo(55);
      assertThat(tracker.activeConnections()).isEqualTo(1);
    }

    @Test
    void theJoinedRowEndsWhenItsLastRequestEndsInEitherOrder() {
      for (boolean firstEndsFirst : new boolean[] {true, false}) {
        ActivityTracker t =
            ActivityTracker.create(
                ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
        ActivityHandle first = t.open("b", "s", ConnectionType.STREAMING, null);
        first.addRx(10);
        ActivityHandle second = t.open("b", "s", ConnectionType.STREAMING, null);
        second.addRx(20);
        ActivityHandle endsFirst = firstEndsFirst ? first : second;
        ActivityHandle endsLast = firstEndsFirst ? second : first;

        endsFirst.close();
        BackendSnapshot mid = t.getBackendSnapshot("b").orElseThrow();
        assertThat(mid.connections()).hasSize(1);
        assertThat(mid.connections().get(0).requests()).isEqualTo(1);
        assertThat(mid.connections().get(0).bytesRx()).isEqualTo(30);
        assertThat(mid.completedConnections()).isZero();
        assertThat(endsLast.isOpen()).isTrue();

        endsLast.addRx(5);
        endsFirst.addRx(1000); // ended: ignored although the row is still open
        endsLast.close();

        BackendSnapshot end = t.getBackendSnapshot("b").orElseThrow();
        assertThat(end.connections()).isEmpty();
        assertThat(end.cumulativeBytesRx()).isEqualTo(35);
        assertThat(end.completedConnections()).isEqualTo(1);
        assertThat(t.activeConnections()).isZero();
        t.close();
      }
    }

    @Test
    void manyJoinedRequestsEndingInAnyOrderLoseAndDoubleNothing() {
      int n = 6;
      List<Integer> order = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      java.util.Random random = new java.util.Random(42);
      for (int round = 0; round < 50; round++) {
        java.util.Collections.shuffle(order, random);
        String session = "s" + round;
        ActivityHandle[] handles = new ActivityHandle[n];
        for (int i = 0; i < n; i++) {
          handles[i] = tracker.open("b", session, ConnectionType.STREAMING, null);
          handles[i].addRx(i + 1);
          handles[i].addTx(10L * (i + 1));
        }
        for (int k = 0; k < n; k++) {
          handles[order.get(k)].close();
          boolean rowStillThere =
              backend("b").connections().stream().anyMatch(c -> c.sessionId().equals(session));
          assertThat(rowStillThere).isEqualTo(k < n - 1);
        }
      }
      BackendSnapshot b = backend("b");
      assertThat(b.connections()).isEmpty();
      assertThat(b.completedConnections()).isEqualTo(50);
      assertThat(b.cumulativeBytesRx()).isEqualTo(50L * 21);
      assertThat(b.cumulativeBytesTx()).isEqualTo(50L * 210);
    }

    @Test
    void joiningWithAStreamingRequestUpgradesTheRowAndNeverDowngradesIt() {
      tracker.open("b", "s", ConnectionType.NON_STREAMING, null);
      assertThat(onlyRow("b").type()).isEqualTo(ConnectionType.NON_STREAMING);
      tracker.open("b", "s", ConnectionType.STREAMING, null);
      assertThat(onlyRow("b").type()).isEqualTo(ConnectionType.STREAMING);
      tracker.open("b", "s", ConnectionType.NON_STREAMING, null);
      assertThat(onlyRow("b").type()).isEqualTo(ConnectionType.STREAMING);
    }

    @Test
    void theRowShowsTheModelOfTheLatestJoinThatNamedOne() {
      tracker.open("b", "s", ConnectionType.STREAMING, "gpt-3.5");
      tracker.open("b", "s", ConnectionType.STREAMING, "gpt-4");
      assertThat(onlyRow("b").model()).isEqualTo("gpt-4");
      tracker.open("b", "s", ConnectionType.STREAMING, null);
      assertThat(onlyRow("b").model()).isEqualTo("gpt-4");
    }

    @Test
    void aJoinKeepsTheRowsStartTime() {
      tracker.open("b", "s", ConnectionType.STREAMING, null);
      java.time.Instant started = clock.now();
      clock.advance(Duration.ofSeconds(30));
      tracker.open("b", "s", ConnectionType.STREAMING, null);
      assertThat(onlyRow("b").startedAt()).isEqualTo(started);
      assertThat(onlyRow("b").duration()).isEqualTo(Duration.ofSeconds(30));
    }
  }

  @Nested
  class EndReasons {

    @ParameterizedTest
    @EnumSource(EndReason.class)
    void eachReasonIsCountedOnItsBackend(EndReason reason) {
      tracker.open("b", "s", ConnectionType.STREAMING, null).end(reason);
      tracker.open("other", "s", ConnectionType.STREAMING, null).close();

      EndCounts counts = backend("b").ended();
      for (EndReason r : EndReason.values()) {
        assertThat(counts.get(r)).as(r.wireName()).isEqualTo(r == reason ? 1 : 0);
      }
      assertThat(backend("other").ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
      assertThat(tracker.getGlobalSnapshot().ended().get(reason))
          .isEqualTo(reason == EndReason.COMPLETED ? 2 : 1);
    }

    @Test
    void theMostSevereReasonOfAJoinedRowWinsWhateverTheOrder() {
      EndReason[] reasons = EndReason.values();
      int session = 0;
      for (EndReason a : reasons) {
        for (EndReason b : reasons) {
          String s = "s" + session++;
          ActivityHandle first = tracker.open("j", s, ConnectionType.STREAMING, null);
          ActivityHandle second = tracker.open("j", s, ConnectionType.STREAMING, null);
          EndCounts before = backend("j").ended();
          first.end(a);
          second.end(b);
          EndReason expected = a.compareTo(b) >= 0 ? a : b;
          EndCounts after = backend("j").ended();
          assertThat(after.get(expected) - before.get(expected)).as(a + "+" + b).isEqualTo(1);
          assertThat(after.total() - before.total()).isEqualTo(1);
        }
      }
    }

    @Test
    void completedConnectionsCountsRowsNotRequests() {
      ActivityHandle a = tracker.open("b", "s", ConnectionType.STREAMING, null);
      ActivityHandle b = tracker.open("b", "s", ConnectionType.STREAMING, null);
      ActivityHandle c = tracker.open("b", "t", ConnectionType.STREAMING, null);
      a.close();
      b.close();
      c.end(EndReason.ERRORED);

      assertThat(backend("b").completedConnections()).isEqualTo(2);
      assertThat(tracker.getGlobalSnapshot().completedConnections()).isEqualTo(2);
    }
  }

  @Nested
  class Snapshots {

    @Test
    void theBackendSnapshotHoldsOnlyThatBackend() {
      tracker.open("a", "s1", ConnectionType.STREAMING, null).addRx(1);
      tracker.open("b", "s2", ConnectionType.STREAMING, null).addRx(2);

      BackendSnapshot a = backend("a");
      assertThat(a.name()).isEqualTo("a");
      assertThat(a.connections()).extracting(ConnectionSnapshot::sessionId).containsExactly("s1");
      assertThat(a.totalBytesRx()).isEqualTo(1);
      assertThat(tracker.getBackendSnapshot("unknown")).isEmpty();
    }

    @Test
    void theGlobalSnapshotListsBackendsByNameAndRowsOldestFirst() {
      tracker.open("zeta", "zz-opened-first", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofSeconds(1));
      tracker.open("alpha", "x", ConnectionType.STREAMING, null);
      tracker.open("zeta", "aa-opened-second", ConnectionType.STREAMING, null);

      GlobalSnapshot g = tracker.getGlobalSnapshot();
      assertThat(g.enabled()).isTrue();
      assertThat(g.takenAt()).isEqualTo(clock.now());
      assertThat(g.backends()).extracting(BackendSnapshot::name).containsExactly("alpha", "zeta");
      assertThat(g.backend("zeta").orElseThrow().connections())
          .extracting(ConnectionSnapshot::sessionId)
          .containsExactly("zz-opened-first", "aa-opened-second");
    }

    @Test
    void globalTotalsAreTheSumsOfTheBackends() {
      tracker.open("a", "s", ConnectionType.STREAMING, null).addRx(3);
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      h.addRx(4);
      h.addTx(5);
      ActivityHandle done = tracker.open("b", "t", ConnectionType.STREAMING, null);
      done.addTx(100);
      done.close();

      GlobalSnapshot g = tracker.getGlobalSnapshot();
      assertThat(g.totalActiveConnections()).isEqualTo(2);
      assertThat(g.totalBytesRx()).isEqualTo(7);
      assertThat(g.totalBytesTx()).isEqualTo(5);
      assertThat(g.cumulativeBytesRx()).isEqualTo(7);
      assertThat(g.cumulativeBytesTx()).isEqualTo(105);
      assertThat(g.completedConnections()).isEqualTo(1);
    }

    @Test
    void aSnapshotDoesNotChangeAfterwards() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      h.addRx(1);
      GlobalSnapshot before = tracker.getGlobalSnapshot();
      h.addRx(1000);
      h.close();
      tracker.open("b", "t", ConnectionType.STREAMING, null);

      assertThat(before.totalBytesRx()).isEqualTo(1);
      assertThat(before.backends().get(0).connections()).hasSize(1);
      assertThatThrownBy(() -> before.backends().clear())
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Nested
  class BadInput {

    @Test
    void negativeByteCountsAreRejected() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      assertThatThrownBy(() -> h.addRx(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("-1");
      assertThatThrownBy(() -> h.addTx(Long.MIN_VALUE))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(onlyRow("b").bytesRx()).isZero();
      assertThat(onlyRow("b").bytesTx()).isZero();
    }

    @Test
    void negativeByteCountsAreRejectedEvenAfterTheEnd() {
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      h.close();
      assertThatThrownBy(() -> h.addRx(-5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNullOrBlankBackendIsRejectedWithAClearMessage() {
      for (String bad : new String[] {null, "", "   ", "\t\n"}) {
        assertThatThrownBy(() -> tracker.open(bad, "s", ConnectionType.STREAMING, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("backend")
            .hasMessageContaining("null or blank");
      }
      assertThat(tracker.activeConnections()).isZero();
    }

    @Test
    void aNullOrBlankSessionIsRejectedWithAClearMessage() {
      for (String bad : new String[] {null, "", "  "}) {
        assertThatThrownBy(() -> tracker.open("b", bad, ConnectionType.STREAMING, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("sessionId")
            .hasMessageContaining("null or blank");
      }
      assertThat(tracker.getGlobalSnapshot().backends()).isEmpty();
    }

    @Test
    void aNullTypeIsRejected() {
      assertThatThrownBy(() -> tracker.open("b", "s", null, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("type");
    }

    @Test
    void controlAndBidiCharactersAndLoneSurrogatesAreReplaced() {
      String nasty = "ab\u0000c\u001b[31m\u202Eevil\u2066\n\r\u2028x\uD800y\uDC00";
      tracker.open("back\u0007end", nasty, ConnectionType.STREAMING, "mo\u202Edel\u0085");

      GlobalSnapshot g = tracker.getGlobalSnapshot();
      BackendSnapshot b = g.backends().get(0);
      ConnectionSnapshot row = b.connections().get(0);
      for (String shown : new String[] {b.name(), row.sessionId(), row.model()}) {
        assertSafe(shown);
      }
      assertThat(row.sessionId()).startsWith("ab\uFFFDc\uFFFD[31m\uFFFDevil");
      assertThat(b.name()).isEqualTo("back\uFFFDend");
    }

    @Test
    void aBackendIsFoundByTheNameItWasOpenedWithEvenWhenThatNameNeededCleaning() {
      String raw = "back\u0007end-" + "x".repeat(500);
      tracker.open(raw, "s", ConnectionType.STREAMING, null).addRx(9);

      BackendSnapshot b = tracker.getBackendSnapshot(raw).orElseThrow();
      assertThat(b.totalBytesRx()).isEqualTo(9);
      assertThat(b.name()).isNotEqualTo(raw).startsWith("back\uFFFDend-");
    }

    @Test
    void validSurrogatePairsAndOrdinaryUnicodeAreKept() {
      String emoji = "s-\uD83D\uDE00-\u00e9\u4e2d";
      tracker.open("b", emoji, ConnectionType.STREAMING, null);
      assertThat(onlyRow("b").sessionId()).isEqualTo(emoji);
    }

    @Test
    void megabyteLongNamesAreCappedAndStillJoin() {
      String huge = "x".repeat(1 << 20);
      ActivityHandle first =
          tracker.open("b".repeat(1 << 20), huge, ConnectionType.STREAMING, huge);
      ActivityHandle second =
          tracker.open("b".repeat(1 << 20), huge, ConnectionType.STREAMING, huge);
      first.addRx(1);
      second.addRx(2);

      GlobalSnapshot g = tracker.getGlobalSnapshot();
      BackendSnapshot b = g.backends().get(0);
      ConnectionSnapshot row = b.connections().get(0);
      assertThat(b.name().length()).isLessThanOrEqualTo(128);
      assertThat(row.sessionId().length()).isLessThanOrEqualTo(256);
      assertThat(row.model().length()).isLessThanOrEqualTo(128);
      assertThat(row.sessionId()).startsWith("xxxx").endsWith("\u2026");
      assertThat(row.requests()).isEqualTo(2);
      assertThat(row.bytesRx()).isEqualTo(3);

      first.close();
      second.close();
      assertThat(tracker.activeConnections()).isZero();
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
      String emojis = "\uD83D\uDE00".repeat(1000);
      tracker.open("b", emojis, ConnectionType.STREAMING, null);
      String shown = onlyRow("b").sessionId();
      assertSafe(shown);
      assertThat(shown.length()).isLessThanOrEqualTo(256);
    }

    private void assertSafe(String s) {
      assertThat(s.chars()).noneMatch(Character::isISOControl);
      assertThat(s.chars())
          .noneMatch(c -> (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069));
      // lone surrogates would not survive a UTF-8 round trip
      assertThat(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
          .isEqualTo(s);
    }
  }

  @Nested
  class Disabled {

    @Test
    void aDisabledTrackerHandsOutTheSharedNoopHandle() {
      ActivityTracker off = ActivityTracker.disabled();
      ActivityHandle h = off.open("b", "s", ConnectionType.STREAMING, "m");

      assertThat(off.isEnabled()).isFalse();
      assertThat(h).isSameAs(ActivityHandle.noop());
      assertThat(h.isOpen()).isFalse();
      h.addRx(10);
      h.addTx(10);
      h.close();
      assertThat(off.activeConnections()).isZero();
      assertThat(off.sweep()).isZero();
    }

    @Test
    void aDisabledTrackerDoesNotEvenCheckItsArguments() {
      // the disabled path does no work at all, validation included
      assertThat(ActivityTracker.disabled().open("", "", ConnectionType.STREAMING, null))
          .isSameAs(ActivityHandle.noop());
    }

    @Test
    void beginRequestOnADisabledTrackerReturnsTheSharedDisabledActivity() {
      RequestActivity r = ActivityTracker.disabled().beginRequest("s");
      assertThat(r).isSameAs(RequestActivity.disabled());
      assertThat(r.isTracking()).isFalse();
    }

    @Test
    void snapshotsOfADisabledTrackerSayDisabled() {
      GlobalSnapshot g = ActivityTracker.disabled().getGlobalSnapshot();
      assertThat(g.enabled()).isFalse();
      assertThat(g.backends()).isEmpty();
      assertThat(g.totalActiveConnections()).isZero();
      assertThat(g.cumulativeBytesRx()).isZero();
      assertThat(ActivityTracker.disabled().getBackendSnapshot("b")).isEmpty();
    }

    @Test
    void settingsThatAreNotEnabledGiveTheDisabledTracker() {
      ActivityTracker t = ActivityTracker.create(ActivitySettings.defaults());
      assertThat(t).isSameAs(ActivityTracker.disabled());
      t.close(); // harmless
      assertThat(ActivityTracker.disabled().isEnabled()).isFalse();
    }

    @Test
    void theDisabledPathAllocatesNothing() {
      assumeTrue(AllocationMeter.isSupported());
      ActivityTracker off = ActivityTracker.disabled();

      long open =
          AllocationMeter.bytesAllocated(
              100_000,
              () -> {
                ActivityHandle h = off.open("b", "s", ConnectionType.STREAMING, "m");
                h.addRx(10);
                h.addTx(10);
                h.close();
                return h;
              });
      long begin =
          AllocationMeter.bytesAllocated(
              100_000,
              () -> {
                RequestActivity r = off.beginRequest("s");
                r.addTx(5);
                r.attach("b", "m", ConnectionType.STREAMING);
                r.close();
                return r;
              });

      assertThat(open).isLessThan(AllocationMeter.NOISE_BYTES);
      assertThat(begin).isLessThan(AllocationMeter.NOISE_BYTES);
    }

    @Test
    void theGlobalTrackerIsDisabledUntilOneIsInstalled() {
      ActivityTracker previous = ActivityTracker.global();
      try {
        ActivityTracker.setGlobal(ActivityTracker.disabled());
        assertThat(ActivityTracker.global().isEnabled()).isFalse();

        ActivityTracker replaced = ActivityTracker.setGlobal(tracker);
        assertThat(replaced).isSameAs(ActivityTracker.disabled());
        assertThat(ActivityTracker.global()).isSameAs(tracker);
        ActivityTracker.global().open("b", "s", ConnectionType.STREAMING, null);
        assertThat(tracker.activeConnections()).isEqualTo(1);
      } finally {
        ActivityTracker.setGlobal(previous);
      }
      assertThatThrownBy(() -> ActivityTracker.setGlobal(null))
          .isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void theGlobalTrackerStartsDisabledInAFreshJvm() throws Exception {
    // Another test may have installed one in this JVM; a child JVM shows the real default.
    String javaBin =
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                GlobalDefaultProbe.class.getName())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).isZero();
    assertThat(out).isEqualTo("enabled=false noop=true");
  }

  /** Runs in a child JVM for {@link #theGlobalTrackerStartsDisabledInAFreshJvm}. */
  static final class GlobalDefaultProbe {
    public static void main(String[] args) {
      ActivityTracker g = ActivityTracker.global();
      System.out.println(
          "enabled="
              + g.isEnabled()
              + " noop="
              + (g.open("b", "s", ConnectionType.STREAMING, null) == ActivityHandle.noop()));
    }
  }

  @Test
  void theBytePathOfAnOpenHandleAllocatesNothing() {
    assumeTrue(AllocationMeter.isSupported());
    ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);

    long bytes =
        AllocationMeter.bytesAllocated(
            100_000,
            () -> {
              h.addRx(3);
              h.addTx(2);
              return h;
            });

    assertThat(bytes).isLessThan(AllocationMeter.NOISE_BYTES);
    assertThat(onlyRow("b").bytesRx()).isEqualTo(600_000);
  }

  @Test
  void aClosedTrackerStopsTrackingButOpenHandlesStayHarmless() {
    ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
    tracker.close();
    tracker.close();

    assertThat(tracker.isEnabled()).isFalse();
    assertThat(tracker.open("b", "t", ConnectionType.STREAMING, null))
        .isSameAs(ActivityHandle.noop());
    assertThat(tracker.beginRequest("x")).isSameAs(RequestActivity.disabled());
    h.addRx(4);
    assertThat(onlyRow("b").bytesRx()).isEqualTo(4);
    h.close();
    assertThat(tracker.activeConnections()).isZero();
  }
}
