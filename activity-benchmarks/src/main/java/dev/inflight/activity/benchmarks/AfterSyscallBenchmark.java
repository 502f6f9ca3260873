package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityStreams;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A streamed request as an SSE proxy's thread runs it: each event read from the backend, written to
 * the client and flushed with a system call, which is where the server's time between two events
 * goes. What a system call leaves behind matters to the code that runs after it: on a kernel that
 * isolates its page tables from user space on a processor without process-context identifiers (the
 * Meltdown mitigation, {@code Mitigation: PTI} in {@code
 * /sys/devices/system/cpu/vulnerabilities/meltdown} with no {@code pcid} in {@code /proc/cpuinfo},
 * as on this project's benchmark machine), every return from the kernel empties the user-space TLB,
 * so each distinct page the code touches after it, for data or for compiled code, costs a page
 * walk. {@link ColdCacheBenchmark} and {@link UpdateBenchmark} run without system calls and cannot
 * see this.
 *
 * <p>Each operation is one request of the benchmark servers' shape (64 events of 256 bytes): the
 * request's objects are made the way a container makes them, some kilobytes apart ({@code gap}
 * bytes of other allocations between the request's start, its attach and its streams), then each
 * event is written to {@code /dev/null} through a {@link FileOutputStream} (one {@code write}
 * system call, standing for the flush), read from the backend's stream and written to the client's
 * stream. {@code bare} does that with plain streams, {@code disabled} through a disabled tracker
 * (the adapter's calls, no counting), {@code enabled} counts RX and TX through {@link
 * ActivityStreams} into an attached row. The differences between the three are what tracking adds
 * per request in this state; ratios against {@code bare} from the same run are what to read.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class AfterSyscallBenchmark {

  /** Events per request: the benchmark servers' stream. */
  private static final int EVENTS = 64;

  /** A backend's stream, the client's stream and the system call standing for the flush. */
  @State(Scope.Thread)
  public static class Streams {
    /** Bytes allocated between the request's start, its attach and its streams. */
    @Param({"16384"})
    public int gap;

    ActivityTracker enabled;
    ActivityTracker disabled;
    byte[] stream;
    byte[] buffer;
    FileOutputStream flush;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      enabled = Fixtures.enabledTracker(16);
      Fixtures.fill(enabled, 16);
      disabled = ActivityTracker.disabled();
      byte[] event = EndToEndBenchmark.sseEvent(256);
      stream = new byte[event.length * EVENTS];
      for (int i = 0; i < EVENTS; i++) {
        System.arraycopy(event, 0, stream, i * event.length, event.length);
      }
      buffer = new byte[event.length];
      flush = new FileOutputStream("/dev/null");
    }

    /** Allocates what the container would between two of the request's own allocations. */
    void allocateGap(Blackhole bh) {
      bh.consume(new byte[gap]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      flush.close();
      if (enabled.activeConnections() != 16) {
        throw new IllegalStateException("rows leaked: " + enabled.activeConnections());
      }
      enabled.close();
    }
  }

  /** The request with no tracking at all. */
  @Benchmark
  public long bare(Streams s, Blackhole bh) throws IOException {
    s.allocateGap(bh);
    InputStream in = new ByteArrayInputStream(s.stream);
    s.allocateGap(bh);
    return pump(s, in, new Client());
  }

  /** The request through a disabled tracker: the adapter's calls, nothing counted. */
  @Benchmark
  public long disabled(Streams s, Blackhole bh) throws IOException {
    return tracked(s, s.disabled, bh);
  }

  /** The request counted: RX and TX into an attached streaming row, ended at the end. */
  @Benchmark
  public long enabled(Streams s, Blackhole bh) throws IOException {
    return tracked(s, s.enabled, bh);
  }

  private static long tracked(Streams s, ActivityTracker tracker, Blackhole bh) throws IOException {
    RequestActivity r = tracker.beginRequest(null);
    s.allocateGap(bh);
    ActivityHandle h = r.attach(Fixtures.BACKEND, Fixtures.MODEL, ConnectionType.STREAMING);
    InputStream in = ActivityStreams.countRx(new ByteArrayInputStream(s.stream), h);
    s.allocateGap(bh);
    Client client = new Client();
    long n = pump(s, in, ActivityStreams.countTx(client, h));
    r.close();
    return n + client.written;
  }

  /** Every event: the flush's system call, a read from the backend, a write to the client. */
  private static long pump(Streams s, InputStream in, OutputStream out) throws IOException {
    byte[] b = s.buffer;
    long total = 0;
    int n;
    s.flush.write(b, 0, 1);
    while ((n = in.readNBytes(b, 0, b.length)) > 0) {
      out.write(b, 0, n);
      s.flush.write(b, 0, 1);
      total += n;
    }
    return total;
  }

  /** The client's stream: takes the bytes and keeps their count, as a container's buffer would. */
  static final class Client extends OutputStream {
    long written;

    @Override
    public void write(int b) {
      written++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      written += len;
    }
  }
}
