import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one test class (or CLASS#method) iterations FROM..TO of N in this JVM with the JUnit
 * Platform launcher, one line per iteration, and stops at the first failing iteration. The tests'
 * own output goes to LOG; this launcher's lines go to the standard output. An iteration that takes
 * longer than TIMEOUT seconds is a failure: every thread's stack goes to the log, and the JVM exits.
 *
 * <p>Exit code: 0 when every iteration passed, 1 when one failed, 2 when nothing was selected, 3 on
 * the time limit. Started by bin/repeat-tests with the module's test class path.
 *
 * <p>Usage: java -cp TEST_CLASS_PATH RepeatLauncher.java SELECTOR FROM TO N TIMEOUT LOG
 */
public final class RepeatLauncher {

  public static void main(String[] args) throws IOException {
    String selector = args[0];
    int from = Integer.parseInt(args[1]);
    int to = Integer.parseInt(args[2]);
    int total = Integer.parseInt(args[3]);
    long timeoutSeconds = Long.parseLong(args[4]);
    PrintStream report = System.out;
    PrintStream log = new PrintStream(new FileOutputStream(args[5], true), true, StandardCharsets.UTF_8);
    System.setOut(log);
    System.setErr(log);

    DiscoverySelector selected =
        selector.contains("#") ? selectMethod(selector) : selectClass(selector);
    Launcher launcher = LauncherFactory.create();
    AtomicInteger running = new AtomicInteger(from);
    Thread watchdog =
        new Thread(() -> watch(running, timeoutSeconds, total, report, log), "repeat-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    for (int i = from; i <= to; i++) {
      running.set(i);
      log.printf("%n===== repeat-tests: iteration %d of %d =====%n", i, total);
      LauncherDiscoveryRequest request =
          LauncherDiscoveryRequestBuilder.request().selectors(selected).build();
      SummaryGeneratingListener summary = new SummaryGeneratingListener();
      long start = System.nanoTime();
      launcher.execute(request, summary, new FailureNamer(report, i));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      TestExecutionSummary s = summary.getSummary();
      if (s.getTestsFoundCount() == 0) {
        report.printf("repeat-tests: %s selects no test%n", selector);
        System.exit(2);
      }
      long failed = s.getTotalFailureCount();
      if (failed > 0) {
        report.printf(
            Locale.ROOT,
            "iteration %d/%d: FAILED, %d of %d tests failed (%.1f s)%n",
            i, total, failed, s.getTestsFoundCount(), millis / 1000.0);
        for (TestExecutionSummary.Failure f : s.getFailures()) {
          report.println("--- " + f.getTestIdentifier().getDisplayName() + " ---");
          f.getException().printStackTrace(report);
          log.println("--- failure of " + f.getTestIdentifier().getUniqueId());
          f.getException().printStackTrace(log);
        }
        report.printf("repeat-tests: iteration %d failed; %d passed before it%n", i, i - 1);
        report.flush();
        System.exit(1);
      }
      report.printf(
          Locale.ROOT,
          "iteration %d/%d: passed, %d tests%s (%.1f s)%n",
          i, total, s.getTestsSucceededCount(),
          s.getTestsSkippedCount() + s.getTestsAbortedCount() > 0
              ? ", " + (s.getTestsSkippedCount() + s.getTestsAbortedCount()) + " skipped or aborted"
              : "",
          millis / 1000.0);
    }
    report.flush();
    System.exit(0);
  }

  /** Names each failing test as it fails, so a long iteration shows it before it ends. */
  private record FailureNamer(PrintStream report, int iteration) implements TestExecutionListener {
    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
      if (result.getStatus() == TestExecutionResult.Status.FAILED) {
        report.printf("iteration %d: %s failed%n", iteration, test.getDisplayName());
      }
    }
  }

  private static void watch(
      AtomicInteger running, long timeoutSeconds, int total, PrintStream report, PrintStream log) {
    int seen = running.get();
    long since = System.nanoTime();
    while (true) {
      try {
        Thread.sleep(1000); // a coarse watch on the iterations' progress
      } catch (InterruptedException e) {
        return;
      }
      int now = running.get();
      if (now != seen) {
        seen = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
        log.printf("%n===== repeat-tests: iteration %d ran over %d s; threads: =====%n", now, timeoutSeconds);
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
          log.printf(
              "\"%s\" %s%s%n",
              t.getThreadName(),
              t.getThreadState(),
              t.getLockName() == null ? "" : " on " + t.getLockName());
          for (StackTraceElement e : t.getStackTrace()) {
            log.println("\tat " + e);
          }
          log.println();
        }
        log.flush();
        report.printf(
            "repeat-tests: iteration %d/%d ran over %d s (threads dumped to the log); %d passed before it%n",
            now, total, timeoutSeconds, now - 1);
        report.flush();
        Runtime.getRuntime().halt(3);
      }
    }
  }
}
