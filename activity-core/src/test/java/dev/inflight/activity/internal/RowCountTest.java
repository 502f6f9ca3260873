package dev.inflight.activity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The published row count: what the stripes hold back is bounded, so the count plus its slack
 * bounds the rows from above, and a cap check that trusts it never lets an open pass the cap.
 */
class RowCountTest {

  private final Registry registry =
      new Registry(
          ActivitySettings.builder()
              .enabled(true)
              .clock(new FakeClock())
              .sweepInterval(Duration.ZERO)
              .build());
  private final BackendState backend = new BackendState("b", 4, 10_000);

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void theBatchIsAtMostAnEighthOfTheCapSpreadOverTheStripes() {
    assertThat(new RowCount(10_000, 4).batch).isEqualTo(64);
    assertThat(new RowCount(2_000, 4).batch).isEqualTo(62);
    assertThat(new RowCount(10_000, 64).batch).isEqualTo(19);
    assertThat(new RowCount(31, 4).batch).isEqualTo(1);
    assertThat(new RowCount(1, 64).batch).isEqualTo(1);
    assertThat(new RowCount(10_000, 4).slack).isEqualTo(4 * 63);
    assertThat(new RowCount(3, 4).slack).isZero();
  }

  @Test
  void withNoSlackTheCountIsExact() {
    RowCount count = new RowCount(3, 4);
    Stripe stripe = new Stripe(0, 0, count);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      assertThat(count.surelyBelow(3)).isTrue();
      Row r = row(stripe, "s" + i);
      stripe.link(r);
      rows.add(r);
    }
    assertThat(count.surelyBelow(3)).isFalse();
    stripe.unlink(rows.get(0));
    assertThat(count.surelyBelow(3)).isTrue();
  }

  @Test
  void thePublishedCountPlusItsSlackNeverFallsBelowTheRows() {
    // each step: a stripe (0-3) and whether it links a row or ends one of its rows
    qt().withExamples(200)
        .forAll(lists().of(integers().between(0, 7)).ofSizeBetween(1, 3_000))
        .checkAssert(
            steps -> {
              int cap = 1_000;
              RowCount count = new RowCount(cap, 4);
              Stripe[] stripes = new Stripe[4];
              List<List<Row>> linked = new ArrayList<>();
              for (int i = 0; i < 4; i++) {
                stripes[i] = new Stripe(i, 4, count);
                linked.add(new ArrayList<>());
              }
              int n = 0;
              for (int step : steps) {
                int i = step & 3;
                List<Row> mine = linked.get(i);
                if ((step & 4) == 0 || mine.isEmpty()) {
                  Row r = row(stripes[i], "s" + n++);
                  stripes[i].link(r);
                  mine.add(r);
                } else {
                  Row r = mine.remove(mine.size() - 1);
                  long rx = r.sealRx();
                  stripes[i].end(r, new Ended(r, EndReason.COMPLETED, rx, r.sealTx(), 1, 0, 0));
                }
                int rows = 0;
                int heldBack = 0;
                for (Stripe s : stripes) {
                  rows += s.size;
                  heldBack += s.unpublished;
                  assertThat(Math.abs(s.unpublished)).isLessThan(count.batch);
                }
                assertThat(count.published + heldBack).isEqualTo(rows);
                assertThat(count.published + count.slack).isGreaterThanOrEqualTo(rows);
                // surelyBelow grows with its argument: false at the row count means false below it
                assertThat(rows == 0 || !count.surelyBelow(rows)).as("%s rows", rows).isTrue();
              }
            });
  }

  private Row row(Stripe stripe, String session) {
    return new Row(registry, backend, session, ConnectionType.STREAMING, null, 0, 0, stripe);
  }
}
