package dev.inflight.activity.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * One backend's open rows by session id: a hash table of chained bins that keeps no count of its
 * own, so that threads opening and closing rows of one backend write only the bins of their own
 * sessions. (A {@link java.util.concurrent.ConcurrentHashMap} adds every insertion and removal to a
 * shared counter: with two threads on one backend, that counter's line moved between their cores on
 * nearly every open and close.)
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>{@link #get} and iteration take no lock. Changes to a bin (adding, removing, and the
 *       remapping of {@link #computeIfPresent}) run under the monitor of the bin's first node, so
 *       they are serialised per bin and a row's remapping sees the table as no other thread is
 *       changing it for that session. An empty bin is filled by one compare-and-set.
 *   <li>The table grows when an insertion finds a long chain, up to four bins per row the cap
 *       allows. One thread at a time moves the rows, bin by bin under each bin's monitor, into the
 *       new table; a moved bin is replaced by a {@link Forward} to the new table, which every
 *       operation follows, so no operation waits for the whole move. Nodes are copied, never moved:
 *       a moved bin keeps its chain as it was when moved.
 *   <li>Iteration is weakly consistent: it sees each row that stays in the table throughout exactly
 *       once (a moved bin is read from the chain it kept), may or may not see rows added or removed
 *       meanwhile, and never sees a row twice.
 *   <li>If a chain stays long in a table that cannot grow any more (session ids chosen to collide
 *       in {@link String#hashCode}), the table is rebuilt with a hash of its own, seeded at random,
 *       so that the work of an open stays small whatever the session ids.
 * </ol>
 */
final class SessionTable implements Iterable<Row> {
  /**
   * Bins of a new table (4 KiB). Two threads opening and closing rows of one backend each write the
   * bins of their own sessions; with fewer, larger-grained lines of bins they found more of them
   * last written by the other core, and a larger first table made a lone thread slower.
   */
  static final int INITIAL_LENGTH = 1024;

  /** An insertion that finds this many nodes in its bin makes the table grow. */
  private static final int GROW_AT = 4;

  /** A chain this long in a table that cannot grow makes it rebuild with a seeded hash. */
  private static final int KEYED_AT = 8;

  /** Unused slots at each end of a table's array. */
  private static final int PAD = 16;

  private static final VarHandle BINS = MethodHandles.arrayElementVarHandle(Object[].class);

  private static final VarHandle RESIZING;

  static {
    try {
      RESIZING =
          MethodHandles.lookup().findVarHandle(SessionTable.class, "resizing", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Table table;

  /** Whether a thread is moving the rows into a new table. */
  @SuppressWarnings("unused") // through RESIZING
  private volatile boolean resizing;

  private final int maxLength;

  /**
   * Creates an empty table.
   *
   * @param cap the registry's row cap, which bounds the table's growth
   */
  SessionTable(int cap) {
    int perCap = Integer.highestOneBit(Math.max(1, Math.min(cap, 1 << 27) - 1)) << 3;
    this.maxLength = Math.max(INITIAL_LENGTH, perCap);
    this.table = new Table(INITIAL_LENGTH, false);
  }

  /**
   * The row of a session. Takes no lock.
   *
   * @param s the session id
   * @return its row, or null if none
   */
  @Nullable Row get(String s) {
    Table t = table;
    int h = t.hash(s);
    for (; ; ) {
      @Nullable Object[] bins = t.bins;
      Object f = binAt(bins, t.index(h));
      if (f instanceof Forward) {
        Table to = ((Forward) f).to;
        h = to.rehash(t, h, s);
        t = to;
        continue;
      }
      for (Node n = (Node) f; n != null; n = n.next) {
        if (n.hash == h && n.row.sessionId.equals(s)) {
          return n.row;
        }
      }
      return null;
    }
  }

  /**
   * Adds a row unless its session already has one.
   *
   * @param row the new row
   * @return the row the session already had, or null if {@code row} was added
   */
  @Nullable Row putIfAbsent(Row row) {
    String s = row.sessionId;
    Table t = table;
    int h = t.hash(s);
    for (; ; ) {
      @Nullable Object[] bins = t.bins;
      int i = t.index(h);
      Object f = binAt(bins, i);
      if (f == null) {
        if (BINS.compareAndSet(bins, i, (Object) null, (Object) new Node(h, row))) {
          return null;
        }
        continue;
      }
      if (f instanceof Forward) {
        Table to = ((Forward) f).to;
        h = to.rehash(t, h, s);
        t = to;
        continue;
      }
      Node first = (Node) f;
      int chain = 0;
      synchronized (first) {
        if (binAt(bins, i) != first) {
          continue; // the bin changed before we held it
        }
        Node n = first;
        for (; ; ) {
          chain++;
          if (n.hash == h && n.row.sessionId.equals(s)) {
            return n.row;
          }
          Node next = n.next;
          if (next == null) {
            n.next = new Node(h, row);
            break;
          }
          n = next;
        }
      }
      if (chain >= GROW_AT) {
        grow(t, chain);
      }
      return null;
    }
  }

  /**
   * Runs {@code remap} on the session's row, if it has one, under its bin's monitor, and removes
   * the row if {@code remap} says so.
   *
   * @param s the session id
   * @param remap what to do with the row
   * @return the row found (kept or removed), or null if the session had none
   */
  @Nullable Row computeIfPresent(String s, Remap remap) {
    Table t = table;
    int h = t.hash(s);
    for (; ; ) {
      @Nullable Object[] bins = t.bins;
      int i = t.index(h);
      Object f = binAt(bins, i);
      if (f == null) {
        return null;
      }
      if (f instanceof Forward) {
        Table to = ((Forward) f).to;
        h = to.rehash(t, h, s);
        t = to;
        continue;
      }
      Node first = (Node) f;
      synchronized (first) {
        if (binAt(bins, i) != first) {
          continue;
        }
        for (Node n = first, pred = null; n != null; pred = n, n = n.next) {
          if (n.hash == h && n.row.sessionId.equals(s)) {
            if (!remap.keep(n.row)) {
              // The removed node keeps its next: a reader standing on it goes on along the chain.
              if (pred == null) {
                BINS.setRelease(bins, i, (Object) n.next);
              } else {
                pred.next = n.next;
              }
            }
            return n.row;
          }
        }
        return null;
      }
    }
  }

  /**
   * The open rows, weakly consistent (see the class comment). Takes no lock.
   *
   * @return an iterator over the rows
   */
  @Override
  public Iterator<Row> iterator() {
    return new Rows(table.bins);
  }

  /**
   * The number of bins of the current table and whether it uses a seeded hash, and its longest
   * chain: for tests.
   *
   * @return {bins, 1 if seeded else 0, longest chain}
   */
  int[] shape() {
    Table t = table;
    int longest = 0;
    for (int i = PAD; i <= PAD + t.mask; i++) {
      Object f = binAt(t.bins, i);
      int chain = 0;
      for (Node n = f instanceof Node ? (Node) f : null; n != null; n = n.next) {
        chain++;
      }
      longest = Math.max(longest, chain);
    }
    return new int[] {t.mask + 1, t.keyed ? 1 : 0, longest};
  }

  /** Moves every row into a larger (or seeded) table, unless another thread is already at it. */
  private void grow(Table t, int chain) {
    int length = t.mask + 1;
    boolean keyed = t.keyed;
    if (length < maxLength) {
      length <<= 1;
    } else if (!keyed && chain >= KEYED_AT) {
      keyed = true;
    } else {
      return;
    }
    if (table != t || !RESIZING.compareAndSet(this, false, true)) {
      return;
    }
    try {
      if (table != t) {
        return; // another thread just finished growing it
      }
      Table to = new Table(length, keyed);
      @Nullable Object[] bins = t.bins;
      for (int i = PAD; i <= PAD + t.mask; i++) {
        move(bins, i, to);
      }
      table = to;
    } finally {
      resizing = false;
    }
  }

  /** Copies one bin's rows into {@code to} and leaves a forward in its place. */
  private static void move(@Nullable Object[] bins, int i, Table to) {
    for (; ; ) {
      Object f = binAt(bins, i);
      if (f == null) {
        if (BINS.compareAndSet(bins, i, (Object) null, (Object) new Forward(to, null))) {
          return;
        }
        continue;
      }
      Node first = (Node) f; // only the one moving thread leaves forwards in this table
      synchronized (first) {
        if (binAt(bins, i) != first) {
          continue;
        }
        for (Node n = first; n != null; n = n.next) {
          to.add(n.row);
        }
        BINS.setRelease(bins, i, (Object) new Forward(to, first));
        return;
      }
    }
  }

  private static @Nullable Object binAt(@Nullable Object[] bins, int i) {
    return BINS.getAcquire(bins, i);
  }

  /** What {@link #computeIfPresent} does with the row it found. */
  interface Remap {
    /**
     * Runs under the row's bin monitor.
     *
     * @param row the session's row
     * @return true to keep the row, false to remove it
     */
    boolean keep(Row row);
  }

  /** One array of bins and the hash it is indexed by. */
  private static final class Table {
    /** The bins, from {@link #PAD} to {@code PAD + mask}. */
    final @Nullable Object[] bins;

    final int mask;

    /** Whether bins are chosen by a seeded hash of the session id instead of its hashCode. */
    final boolean keyed;

    private final long seed;

    Table(int length, boolean keyed) {
      // Slots before and after the bins that are never written: the array's first and last lines
      // are shared with its header (its length, read by every operation) and with its neighbours.
      this.bins = new Object[length + 2 * PAD];
      this.mask = length - 1;
      this.keyed = keyed;
      this.seed = keyed ? ThreadLocalRandom.current().nextLong() : 0;
    }

    /** The slot of the bin for hash {@code h}. */
    int index(int h) {
      return PAD + (h & mask);
    }

    /** The hash of {@code s} in this table, given its hash {@code h} in the table it came from. */
    int rehash(Table from, int h, String s) {
      return keyed || from.keyed ? hash(s) : h;
    }

    int hash(String s) {
      if (!keyed) {
        int h = s.hashCode();
        return h ^ (h >>> 16);
      }
      long h = seed;
      for (int i = 0; i < s.length(); i++) {
        h = (h ^ s.charAt(i)) * 0x100000001b3L;
      }
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      return (int) (h ^ (h >>> 33));
    }

    /** Adds a row that is in no bin of this table yet, while its old bin is being moved. */
    void add(Row row) {
      int h = hash(row.sessionId);
      int i = index(h);
      for (; ; ) {
        Object f = binAt(bins, i);
        if (f == null) {
          if (BINS.compareAndSet(bins, i, (Object) null, (Object) new Node(h, row))) {
            return;
          }
          continue;
        }
        Node first = (Node) f; // a table being filled is not moved itself
        synchronized (first) {
          if (binAt(bins, i) != first) {
            continue;
          }
          Node n = first;
          for (Node next = n.next; next != null; next = n.next) {
            n = next;
          }
          n.next = new Node(h, row);
          return;
        }
      }
    }
  }

  /** A row in a chain. */
  private static final class Node {
    final int hash;
    final Row row;

    /** Written under the bin's monitor; read without it. */
    volatile @Nullable Node next;

    Node(int hash, Row row) {
      this.hash = hash;
      this.row = row;
    }
  }

  /** A moved bin: where its rows went, and its chain as it was when moved. */
  private static final class Forward {
    final Table to;
    final @Nullable Node moved;

    Forward(Table to, @Nullable Node moved) {
      this.to = to;
      this.moved = moved;
    }
  }

  /** Walks the bins of one table, and the kept chain of each moved bin. */
  private static final class Rows implements Iterator<Row> {
    private final @Nullable Object[] bins;
    private int index;
    private @Nullable Node node;

    Rows(@Nullable Object[] bins) {
      this.bins = bins;
      this.index = PAD;
      this.node = after(null);
    }

    private @Nullable Node after(@Nullable Node from) {
      Node n = from == null ? null : from.next;
      while (n == null && index < bins.length - PAD) {
        Object f = binAt(bins, index++);
        n = f instanceof Forward ? ((Forward) f).moved : (Node) f;
      }
      return n;
    }

    @Override
    public boolean hasNext() {
      return node != null;
    }

    @Override
    public Row next() {
      Node n = node;
      if (n == null) {
        throw new NoSuchElementException();
      }
      node = after(n);
      return n.row;
    }
  }
}
