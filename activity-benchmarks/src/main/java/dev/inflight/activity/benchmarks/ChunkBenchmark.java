package dev.inflight.activity.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Counting an RX chunk with its bytes (the tracker reads a streaming row's chunks for keep-alive
 * pings and the stream's last event) against counting its length alone, on one open streaming row
 * that has had its first content.
 *
 * <p>Target: {@link #chunkWithoutEventBoundary} (256 bytes inside a data line, as a large event
 * read in pieces arrives) within 1.5x of {@link #lengthOnly}. {@link #eventChunk} ends an event, so
 * it also looks at the bytes before the line ends for {@code [DONE]}; {@link #pingChunk} is a
 * keep-alive, whose lines are walked. The {@code counting*} methods do the same on a tracker that
 * counts events ({@code ActivitySettings.countEvents}): every line of the chunk is walked, and a
 * chunk that completes an event also reads the clock for the gap since the last one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class ChunkBenchmark {

  /** One open streaming row and the chunks written to it. */
  @State(Scope.Thread)
  public static class Row {
    ActivityTracker tracker;
    ActivityHandle handle;

    /** 256 bytes of a data line, no line end: a piece of a large event. */
    byte[] midLine;

    /** One whole 256-byte event, ending with its blank line. */
    byte[] event;

    /** A keep-alive comment. */
    byte[] ping;

    /** {@link #event} in a direct buffer, as Netty and the JDK client hand it over. */
    ByteBuffer directEvent;

    /** The chunk's length, from a field so that it is not folded. */
    public long length = 256;

    @Setup(Level.Trial)
    public void setUp() {
      tracker = Fixtures.enabledTracker(1, countEvents());
      handle = tracker.open(Fixtures.BACKEND, "measured", ConnectionType.STREAMING, Fixtures.MODEL);
      String json = "{\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(256) + "\"}}]}";
      midLine = ("data: " + json).substring(0, 256).getBytes(UTF_8);
      String head = "data: {\"choices\":[{\"delta\":{\"content\":\"";
      String tail = "\"}}]}\n\n";
      event = (head + "y".repeat(256 - head.length() - tail.length()) + tail).getBytes(UTF_8);
      ping = ": ping\n\n".getBytes(UTF_8);
      directEvent = ByteBuffer.allocateDirect(event.length).put(event).flip();
      if (midLine.length != 256 || event.length != 256) {
        throw new IllegalStateException("chunks must be 256 bytes");
      }
      handle.addRx(event, 0, event.length); // the first content: from here on, the steady state
    }

    /** Which tracker: {@code false} the default, {@code true} one that counts events. */
    boolean countEvents() {
      return false;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      handle.close();
      tracker.close();
    }
  }

  /** The same row on a tracker that counts events. */
  @State(Scope.Thread)
  public static class CountingRow extends Row {
    @Override
    boolean countEvents() {
      return true;
    }
  }

  /** Baseline: the chunk's length only, as before the tracker read chunks. */
  @Benchmark
  public void lengthOnly(Row r) {
    r.handle.addRx(r.length);
  }

  /** A chunk inside a line: the first and last bytes are read, nothing else. */
  @Benchmark
  public void chunkWithoutEventBoundary(Row r) {
    r.handle.addRx(r.midLine, 0, r.midLine.length);
  }

  /** A chunk that ends an event: also the few bytes before its line ends. */
  @Benchmark
  public void eventChunk(Row r) {
    r.handle.addRx(r.event, 0, r.event.length);
  }

  /** The same event in a direct buffer. */
  @Benchmark
  public void eventChunkDirectBuffer(Row r) {
    r.handle.addRx(r.directEvent);
  }

  /** A keep-alive comment: its lines are walked, and it is counted as comments too. */
  @Benchmark
  public void pingChunk(Row r) {
    r.handle.addRx(r.ping, 0, r.ping.length);
  }

  /** {@link #chunkWithoutEventBoundary} on a tracker that counts events. */
  @Benchmark
  public void countingChunkWithoutEventBoundary(CountingRow r) {
    r.handle.addRx(r.midLine, 0, r.midLine.length);
  }

  /** {@link #eventChunk} on a tracker that counts events: the clock is read once. */
  @Benchmark
  public void countingEventChunk(CountingRow r) {
    r.handle.addRx(r.event, 0, r.event.length);
  }
}
