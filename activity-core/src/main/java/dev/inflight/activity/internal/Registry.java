package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityClock;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.BackendTotals;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.GlobalSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The enabled tracker's state: backends, their rows, the row cap and the stale sweeper.
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>Adding bytes touches only the row's own counters (see {@link Row}).
 *   <li>Joining, ending and evicting a row run under the lock of its bin in the backend's {@link
 *       SessionTable} ({@link SessionTable#computeIfPresent}), so they are serialised per row and a
 *       row ends exactly once. A new row is published with {@link SessionTable#putIfAbsent}, after
 *       it was linked into its stripe; if another thread published one for the session first, the
 *       new one is unlinked unseen and the open joins that one.
 *   <li>Snapshots never block writers. They read each backend's folded totals before its rows, so a
 *       row ending meanwhile can only be missed, never counted twice; reported cumulative values
 *       are then clamped so that they never decrease. Once writers are quiet, a snapshot is exact.
 *   <li>Byte progress is noticed, without a clock read on the byte path, by the next sweep,
 *       snapshot or cap check that sees a row's byte total changed; it is timed at that moment. A
 *       row is therefore evicted no earlier than the stale timeout after its last bytes and no
 *       later than one sweep interval after that.
 *   <li>The row cap is checked before a new row is inserted, without a lock: threads opening new
 *       rows at the same instant may each pass the check, so the count can exceed the cap by at
 *       most the number of such threads, until the next opens evict back down to it. The check
 *       reads no line that other threads write on every open and close: the stripes publish their
 *       row counts to a {@link RowCount} in batches, and while that count, plus what the stripes
 *       may hold back, is below the cap, the registry is below it; only closer to the cap than that
 *       are the stripes' exact sizes added up, so the check is exactly the one described.
 *   <li>Each row is also linked into a {@link Stripe}, the one of the thread that opened it. Lock
 *       order: a row's bin lock, then a stripe's lock; the clock hand picks its victim under the
 *       stripe's lock alone and evicts it after letting go.
 *   <li>Threads opening and closing rows of one backend, for distinct sessions, share no cache line
 *       that either writes on every open and close, beyond the bins of the session table where
 *       their sessions' hashes fall: each writes its own stripe (list, count, recently ended rows,
 *       the backend's folded counters for that stripe) and its own rows.
 * </ol>
 *
 * <p>Which row the cap evicts (a clock hand with second chances, O(1) amortized): the hand visits
 * the rows of one stripe in the order they were linked. A row whose activity (bytes moved plus
 * requests joined) changed since the hand last passed it, or since it opened, gets a second chance:
 * its mark is refreshed and it goes to the back of the stripe. The first row without such activity
 * is evicted. If a stripe holds none, the hand tries the next stripe; the stripe it starts from
 * rotates with each eviction. Only when no stripe holds an idle row is the row at the front of a
 * stripe (the one the hand found moving the longest ago) evicted. So a row that moved bytes since
 * the hand last looked is never evicted while one that did not is in the tracker; among idle rows
 * of one stripe the one linked (or found moving) the longest ago goes first. The picked row goes to
 * the back as well: if its eviction misses (it ended meanwhile, or it is a new row about to be
 * published), the next pick moves on; an open retries up to one miss per stripe, plus one, before
 * it opens over the cap (the soft bound above). Every step of the hand either evicts, or is paid
 * for by a byte update or a join since its last visit, so the work per open at the cap does not
 * grow with the cap.
 */
public final class Registry {
  private static final System.Logger LOG = System.getLogger("dev.inflight.activity");

  /** Numbers threads in the order they first open a row; see {@link #stripeIndex()}. */
  private static final AtomicInteger NEXT_THREAD_NUMBER = new AtomicInteger();

  private static final ThreadLocal<Integer> THREAD_NUMBER =
      ThreadLocal.withInitial(NEXT_THREAD_NUMBER::getAndIncrement);

  final ActivityClock clock;
  private final long staleNanos;
  private final long stallNanos;

  /** Whether streaming rows' events are counted (see {@link ActivitySettings#countEvents()}). */
  final boolean countEvents;

  private final int maxConnections;
  private final ConcurrentHashMap<String, BackendState> backends = new ConcurrentHashMap<>();
  private final Stripe[] stripes;
  private final int stripeMask;
  final RowCount count; // package-private: RowTest reads it, exact in a registry without slack
  private int handStart; // racy on purpose: it only spreads the hand's starts over the stripes
  private volatile WallBase wallBase;
  private final AtomicBoolean capWarned = new AtomicBoolean();
  private final AtomicBoolean openFailureLogged = new AtomicBoolean();
  private final @Nullable ScheduledExecutorService sweeper;
  private final Endings endings;

  /**
   * Creates the registry and, if the sweep interval is positive, starts its sweeper thread.
   *
   * @param settings the settings
   */
  public Registry(ActivitySettings settings) {
    this.clock = settings.clock();
    this.staleNanos = settings.staleTimeout().toNanos();
    this.stallNanos = settings.stallAfter().toNanos();
    this.countEvents = settings.countEvents();
    this.maxConnections = settings.maxConnections();
    // A power of two of at least twice the processors, at least 4, at most 64.
    int n = Integer.highestOneBit(Math.max(4, Runtime.getRuntime().availableProcessors() * 2) - 1);
    this.stripes = new Stripe[Math.min(64, n * 2)];
    this.count = new RowCount(maxConnections, stripes.length);
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Stripe(i, settings.recentConnections(), count);
    }
    this.stripeMask = stripes.length - 1;
    this.endings = new Endings(settings.recentConnections(), settings.endedListeners(), stripes);
    this.wallBase = WallBase.read(clock);
    Duration interval = settings.sweepInterval();
    if (interval.isZero()) {
      this.sweeper = null;
    } else {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(1, Registry::newSweeperThread);
      executor.setRemoveOnCancelPolicy(true);
      executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      long nanos = interval.toNanos();
      var unused =
          executor.scheduleWithFixedDelay(this::sweepSafely, nanos, nanos, TimeUnit.NANOSECONDS);
      this.sweeper = executor;
    }
  }

  private static Thread newSweeperThread(Runnable r) {
    // No inherited thread-locals either: they could hold a web application's objects.
    Thread t = new Thread(null, r, "inflight-activity-sweeper", 0, false);
    t.setDaemon(true);
    // No context class loader: the thread must not pin a web application's loader.
    t.setContextClassLoader(null);
    return t;
  }

  /**
   * Opens (or joins) the row for (backend, session).
   *
   * @param backend the backend instance name
   * @param sessionId the session id
   * @param type streaming or not
   * @param model the model, or null
   * @return the request's handle
   */
  public ActivityHandle open(
      String backend, String sessionId, ConnectionType type, @Nullable String model) {
    // A name that is already a key was cleaned when its backend was made: no need to check again.
    BackendState state = backend == null ? null : backends.get(backend);
    String b = state != null ? state.name : Names.require(backend, "backend", Names.MAX_NAME);
    String s = Names.require(sessionId, "sessionId", Names.MAX_SESSION_ID);
    String m = model == null ? null : Names.clean(model, Names.MAX_NAME);
    if (type == null) {
      throw new IllegalArgumentException("type must not be null");
    }
    if (state == null) {
      state = backends.computeIfAbsent(b, this::newBackend);
    }
    try {
      return openRow(state, s, type, m);
    } catch (RuntimeException e) {
      // e.g. a failing custom clock: the request goes on untracked, the registry stays intact
      // Logged in full once; a broken clock would otherwise log on every request.
      System.Logger.Level level =
          openFailureLogged.compareAndSet(false, true)
              ? System.Logger.Level.WARNING
              : System.Logger.Level.DEBUG;
      LOG.log(level, "Activity tracking could not open a row; the request is not tracked", e);
      return ActivityHandle.noop();
    }
  }

  private BackendState newBackend(String name) {
    return new BackendState(name, stripes.length, maxConnections);
  }

  private ActivityHandle openRow(
      BackendState st, String s, ConnectionType type, @Nullable String m) {
    // A pick can miss (its row ended, or is a new row not yet published): try a few more.
    for (int misses = 0; atCap() && st.rows.get(s) == null && misses <= stripeMask + 1; ) {
      if (!evictIdle()) {
        misses++;
      }
    }
    // One clock read per open, before the table is touched: nothing may throw once a row is linked.
    // The wall time is derived from it (see WallBase).
    long now = clock.nanoTime();
    Stripe stripe = stripes[stripeIndex()];
    for (; ; ) {
      if (st.rows.get(s) == null) {
        // A new session: link the row first, so that it is in its stripe whenever it is in the
        // table, then publish it. A row the table already holds wins the race, and is joined.
        Row created = linkedRow(st, s, type, m, now, stripe);
        if (st.rows.putIfAbsent(created) == null) {
          return new RowHandle(this, created);
        }
        stripe.unlink(created);
      }
      Row joined = st.rows.computeIfPresent(s, new Join(type, m, now));
      if (joined != null) {
        return new RowHandle(this, joined);
      }
      // the row ended between the two: open a new one
    }
  }

  /** A new row, linked into the opening thread's stripe before any other thread can see it. */
  private Row linkedRow(
      BackendState st, String s, ConnectionType type, @Nullable String m, long now, Stripe stripe) {
    Row row = new Row(this, st, s, type, m, now, wallBase.millisAt(now), stripe);
    stripe.link(row);
    return row;
  }

  /**
   * The opening thread's stripe. Threads are numbered in the order they first open a row, so that
   * up to as many threads as there are stripes each have one of their own (a hash of thread ids put
   * two busy threads on one stripe often enough to matter). The number is an {@link Integer} in a
   * thread-local: it holds on to nothing of the application's.
   */
  private int stripeIndex() {
    return THREAD_NUMBER.get() & stripeMask;
  }

  /**
   * Tells a handle of this registry that its request's client is gone while the request goes on
   * (see {@link dev.inflight.activity.RequestActivity#clientWriteFailed}); other handles ignore it.
   *
   * @param handle the request's handle
   */
  public static void clientLeft(ActivityHandle handle) {
    if (handle instanceof RowHandle) {
      ((RowHandle) handle).clientLeft();
    }
  }

  /** Ends one request of the row; the row ends with its last request. */
  void endRequest(Row row, EndReason reason) {
    row.backend.rows.computeIfPresent(row.sessionId, new EndOne(this, row, reason));
    endings.deliver(); // outside the bin's lock: listeners never run under the row's lock
  }

  /** The remapping of a join: one more request on the session's row. */
  private static final class Join implements SessionTable.Remap {
    private final ConnectionType type;
    private final @Nullable String model;
    private final long now;

    Join(ConnectionType type, @Nullable String model, long now) {
      this.type = type;
      this.model = model;
      this.now = now;
    }

    @Override
    public boolean keep(Row row) {
      row.join(type, model, now);
      return true;
    }
  }

  /**
   * The remapping of {@link #endRequest}: one request leaves its row, and the last one ends it. A
   * class rather than a lambda: a capturing lambda is made through a method handle, which the
   * compiler did not inline at the depth of a container's request path, so each end paid a slow
   * allocation through the VM.
   */
  private static final class EndOne implements SessionTable.Remap {
    private final Registry registry;
    private final Row row;
    private final EndReason reason;

    EndOne(Registry registry, Row row, EndReason reason) {
      this.registry = registry;
      this.row = row;
      this.reason = reason;
    }

    @Override
    @SuppressWarnings("NonAtomicVolatileUpdate") // serialised per bin; volatile for readers
    public boolean keep(Row current) {
      if (current != row) {
        return true; // our row was evicted and replaced: nothing to end
      }
      current.noteReason(reason);
      if (--current.requests > 0) {
        return true;
      }
      registry.finish(current, current.reason);
      return false;
    }
  }

  /**
   * Evicts a row unless it already ended.
   *
   * @return whether this call ended it
   */
  private boolean evict(Row row) {
    boolean[] ended = new boolean[1];
    row.backend.rows.computeIfPresent(
        row.sessionId,
        current -> {
          if (current != row) {
            return true;
          }
          ended[0] = finish(current, EndReason.EVICTED);
          return false;
        });
    endings.deliver();
    return ended[0];
  }

  /**
   * Seals the row, then ends it in its stripe: unlinked, its bytes folded into the backend, kept
   * among the recently ended rows. Runs under the row's bin lock.
   *
   * @return false if the row was already sealed
   */
  private boolean finish(Row row, EndReason reason) {
    long rx = row.sealRx();
    if (rx < 0) {
      return false;
    }
    long tx = row.sealTx();
    long endNanos = endings.wantsEndTime() ? endTime(row) : row.startedNanos;
    long orphaned = row.rxSinceOrphaned(rx);
    Ended ended =
        new Ended(
            row,
            reason,
            rx,
            tx,
            row.requestsSeen,
            endNanos,
            orphaned == Row.NOT_ORPHANED ? 0 : orphaned);
    row.stripe.end(row, ended);
    endings.rowEnded(ended);
    return true;
  }

  /**
   * Under the bin lock nothing may throw: a failing clock gives the row's last progress instead.
   */
  private long endTime(Row row) {
    try {
      return clock.nanoTime();
    } catch (RuntimeException e) {
      return row.lastProgressNanos;
    }
  }

  /**
   * Evicts one row, chosen by the clock hand (see the class comment).
   *
   * @return false if there was no row to evict, or the chosen one ended meanwhile
   */
  private boolean evictIdle() {
    int start = handStart++;
    Row victim = null;
    for (int i = 0; i <= stripeMask && victim == null; i++) {
      victim = stripes[(start + i) & stripeMask].pickIdle();
    }
    for (int i = 0; i <= stripeMask && victim == null; i++) {
      victim = stripes[(start + i) & stripeMask].first(); // every row is moving
    }
    if (victim == null) {
      return false;
    }
    if (capWarned.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Activity tracker reached its cap of {0} connections; evicting idle ones"
              + " (first: backend {1}). Further evictions are not logged until it drops below"
              + " the cap.",
          String.valueOf(maxConnections),
          victim.backend.name);
    }
    return evict(victim);
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (Throwable t) {
      // One failed sweep must not stop the next ones.
      LOG.log(System.Logger.Level.ERROR, "Activity sweep failed; the next sweep will run", t);
    }
  }

  /**
   * Evicts every row that made no byte progress for the stale timeout.
   *
   * @return the number of rows evicted
   */
  public int sweep() {
    long now = clock.nanoTime();
    checkWallBase(now);
    int evicted = 0;
    for (BackendState b : backends.values()) {
      for (Row row : b.rows) {
        long rx = row.rx;
        long tx = row.tx;
        if (rx < 0 || tx < 0) {
          continue;
        }
        row.observeContent(rx - row.rxComments, now);
        long progress = row.observeProgress(rx + tx, now);
        if (now - progress >= staleNanos && evict(row)) {
          evicted++;
        }
      }
    }
    if (rowCount() < maxConnections) {
      capWarned.set(false);
    }
    return evicted;
  }

  /** Rebases the wall time of new rows when the wall clock was stepped (see {@link WallBase}). */
  private void checkWallBase(long nowNanos) {
    WallBase base = wallBase;
    long wall;
    try {
      wall = clock.epochMillis();
    } catch (RuntimeException e) {
      return; // a failing wall clock must not stop the sweep; the next one checks again
    }
    if (Math.abs(wall - base.millisAt(nowNanos)) > WallBase.MAX_DRIFT_MILLIS) {
      wallBase = new WallBase(nowNanos, wall);
    }
  }

  /**
   * The number of active rows.
   *
   * @return the count
   */
  public int activeConnections() {
    return rowCount();
  }

  /**
   * Whether the registry holds the cap's number of rows or more. Below the cap by more than the
   * stripes' unpublished rows, the published count answers alone; only near the cap are the
   * stripes' sizes, which other threads write on every open and close, read and added up.
   */
  private boolean atCap() {
    return !count.surelyBelow(maxConnections) && rowCount() >= maxConnections;
  }

  private int rowCount() {
    int n = 0;
    for (Stripe stripe : stripes) {
      n += stripe.size;
    }
    return n;
  }

  /**
   * A snapshot of every backend.
   *
   * @return the snapshot
   */
  public GlobalSnapshot snapshot() {
    long now = clock.nanoTime();
    long wall = clock.epochMillis();
    List<BackendSnapshot> list = new ArrayList<>(backends.size());
    for (BackendState b : backends.values()) {
      list.add(snapshot(b, now));
    }
    list.sort(Comparator.comparing(BackendSnapshot::name));
    return new GlobalSnapshot(true, Instant.ofEpochMilli(wall), list);
  }

  /**
   * A snapshot of one backend.
   *
   * @param backend the backend name, as given to {@link #open}
   * @return the snapshot, or null if the backend is unknown
   */
  public @Nullable BackendSnapshot snapshot(String backend) {
    // cleaned as open() cleaned it, so the name the caller opened with finds the backend
    BackendState b = backends.get(Names.clean(backend, Names.MAX_NAME));
    return b == null ? null : snapshot(b, clock.nanoTime());
  }

  private BackendSnapshot snapshot(BackendState b, long now) {
    // Folded totals first, rows second: a row ending in between is missed, never doubled.
    long[] folded = b.folded();
    long foldedRx = folded[0];
    long foldedTx = folded[1];
    var ended = BackendState.endCounts(folded);
    // One pass: each row is read once, in map order; the list sorts its own arrays.
    RowList.Builder rows = new RowList.Builder(b.name, b.rowsSeen + 16);
    for (Row row : b.rows) {
      long rx = row.rx;
      long tx = row.tx;
      if (rx < 0 || tx < 0) {
        continue; // ended while we looked
      }
      rows.add(
          row,
          rx,
          tx,
          row.observeProgress(rx + tx, now),
          row.observeContent(rx - row.rxComments, now));
    }
    b.rowsSeen = rows.size();
    long activeRx = rows.totalRx();
    long activeTx = rows.totalTx();
    long cumRx = b.reportedRx.accumulateAndGet(foldedRx + activeRx, Math::max);
    long cumTx = b.reportedTx.accumulateAndGet(foldedTx + activeTx, Math::max);
    return new BackendSnapshot(b.name, rows.build(now, stallNanos), cumRx, cumTx, ended);
  }

  /**
   * The totals of every backend, without building rows (for metrics scrapes).
   *
   * @return one entry per backend, in no particular order
   */
  public List<BackendTotals> totals() {
    long now = clock.nanoTime();
    List<BackendTotals> list = new ArrayList<>(backends.size());
    for (BackendState b : backends.values()) {
      list.add(Totals.read(b, now, stallNanos));
    }
    return list;
  }

  /**
   * The totals of one backend, without building its rows.
   *
   * @param backend the backend name, as given to {@link #open}
   * @return the totals, or null if the backend is unknown
   */
  public @Nullable BackendTotals totals(String backend) {
    BackendState b = backends.get(Names.clean(backend, Names.MAX_NAME));
    return b == null ? null : Totals.read(b, clock.nanoTime(), stallNanos);
  }

  /**
   * The ended-row listeners and the ring of recently ended rows.
   *
   * @return this registry's endings
   */
  public Endings endings() {
    return endings;
  }

  /**
   * Whether streaming rows' events are counted.
   *
   * @return the setting
   */
  public boolean countsEvents() {
    return countEvents;
  }

  /** Stops the sweeper thread. Idempotent. */
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
  }

  /**
   * Whether the sweeper thread is still running.
   *
   * @return false once closed, or if there never was one
   */
  public boolean sweeperRunning() {
    return sweeper != null && !sweeper.isTerminated();
  }
}
