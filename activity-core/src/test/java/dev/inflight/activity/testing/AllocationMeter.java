package dev.inflight.activity.testing;

import java.lang.management.ManagementFactory;

/**
 * Measures how many heap bytes the current thread allocates while running an action many times, to
 * prove a path allocation-free. Uses HotSpot's per-thread allocation counter.
 *
 * <pre>{@code
 * assumeTrue(AllocationMeter.isSupported());
 * long bytes = AllocationMeter.bytesAllocated(100_000, () -> handle.addRx(1));
 * assertThat(bytes).isLessThan(AllocationMeter.NOISE_BYTES);
 * }</pre>
 */
public final class AllocationMeter {

  /**
   * Allocation that may show up once per measurement whatever the action does (counter
   * bookkeeping). One object per call over 100,000 calls is more than a hundred times this.
   */
  public static final long NOISE_BYTES = 8 * 1024;

  /** Results are stored here so that the JIT cannot remove an allocation as unused. */
  @SuppressWarnings("unused")
  private static volatile Object sink;

  private AllocationMeter() {}

  /**
   * Whether the JVM counts allocated bytes per thread.
   *
   * @return true on HotSpot with the counter enabled
   */
  public static boolean isSupported() {
    return bean() != null;
  }

  /**
   * Runs the action {@code times} times to warm it up, then {@code times} times more while counting
   * the bytes this thread allocates.
   *
   * @param times how many calls to measure
   * @param action the action; what it returns is kept reachable so it cannot be optimised away
   * @return bytes allocated during the measured calls
   */
  public static long bytesAllocated(int times, java.util.function.Supplier<?> action) {
    com.sun.management.ThreadMXBean bean = bean();
    if (bean == null) {
      throw new IllegalStateException("per-thread allocation counting is not supported");
    }
    for (int i = 0; i < times; i++) {
      sink = action.get();
    }
    long before = bean.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < times; i++) {
      sink = action.get();
    }
    long after = bean.getCurrentThreadAllocatedBytes();
    sink = null;
    return after - before;
  }

  private static com.sun.management.ThreadMXBean bean() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean) {
      com.sun.management.ThreadMXBean bean =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      if (bean.isThreadAllocatedMemorySupported()) {
        if (!bean.isThreadAllocatedMemoryEnabled()) {
          bean.setThreadAllocatedMemoryEnabled(true);
        }
        return bean;
      }
    }
    return null;
  }
}
