package dev.inflight.activity.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** What {@link SseScan} tells of a chunk, and that it agrees with reading the whole stream. */
class SseScanTest {

  private static int scan(String chunk, int state) {
    return (int) scanFull(chunk, state, true);
  }

  private static long scanFull(String chunk, int state, boolean judge) {
    byte[] b = chunk.getBytes(UTF_8);
    return SseScan.scan(ByteBuffer.wrap(b), 0, b.length, state, judge);
  }

  /** The events each chunk completes, scanned in order. */
  private static List<Integer> eventsPerChunk(List<String> chunks) {
    List<Integer> out = new ArrayList<>();
    int state = SseScan.INITIAL;
    for (String c : chunks) {
      long r = scanFull(c, state, false);
      out.add((int) (r >>> 32));
      state = (int) r & SseScan.STATE;
    }
    return out;
  }

  /** Per chunk, whether it holds first content (content outside control events). */
  private static List<Boolean> firstContentPerChunk(List<String> chunks) {
    List<Boolean> out = new ArrayList<>();
    int state = SseScan.INITIAL;
    for (String c : chunks) {
      int r = scan(c, state);
      out.add((r & SseScan.FIRST_CONTENT) != 0);
      state = r & SseScan.STATE;
    }
    return out;
  }

  @Test
  void eventsAreFieldBlocksEndedByAnEmptyLine() {
    assertThat(eventsPerChunk(List.of("data: 1\n\ndata: 2\n\n"))).containsExactly(2);
    assertThat(eventsPerChunk(List.of(": ping\n\n")))
        .describedAs("a keep-alive")
        .containsExactly(0);
    assertThat(eventsPerChunk(List.of("event: a\ndata: 1\r\n\r\n: c\r\n\r\n"))).containsExactly(1);
    assertThat(eventsPerChunk(List.of("data: 1\r", "\n", "\r", "\n")))
        .describedAs("a CRLF split between chunks is one line end")
        .containsExactly(0, 0, 1, 0);
    assertThat(eventsPerChunk(List.of("data: 1\r\rdata: 2\n\n\n\n")))
        .describedAs("CR alone ends lines too; extra empty lines end nothing")
        .containsExactly(2);
    assertThat(eventsPerChunk(List.of("da", "ta: " + "x".repeat(40), "\n", "\n")))
        .containsExactly(0, 0, 0, 1);
  }

  @Test
  void anthropicsPingEventIsAKeepAliveLikeAComment() {
    String ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
    assertThat(scan(ping, SseScan.INITIAL) & SseScan.CONTENT).isZero();
    assertThat(eventsPerChunk(List.of(ping, "data: 1\n\n"))).containsExactly(0, 1);
    assertThat(contentPerChunk(List.of("event: ping\n", "data: {}\n\n", "data: x\n\n")))
        .describedAs("its data line in the next read is still the keep-alive's")
        .containsExactly(false, false, true);
    assertThat(contentPerChunk(List.of("event: pi", "ng\ndata: {}\n\n")))
        .describedAs("a cut event line is not taken for a keep-alive")
        .containsExactly(true, true);
    ByteBuffer b = ByteBuffer.wrap(ping.getBytes(UTF_8));
    assertThat(SseScan.quick(b, 0, b.limit(), SseScan.INITIAL) & SseScan.CONTENT).isZero();
    ByteBuffer afterComment = ByteBuffer.wrap((": x\n\n" + ping).getBytes(UTF_8));
    assertThat(
            SseScan.quick(afterComment, 0, afterComment.limit(), SseScan.INITIAL) & SseScan.CONTENT)
        .isZero();
    assertThat(eventsPerChunk(List.of("event: content_block_delta\ndata: {}\n\n" + ping)))
        .containsExactly(1);
  }

  @Test
  void firstContentSkipsControlEvents() {
    assertThat(
            firstContentPerChunk(
                List.of(
                    "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
                    "event: response.in_progress\ndata: {}\n\n",
                    "event: response.output_text.delta\ndata: {\"delta\":\"Hi\"}\n\n")))
        .containsExactly(false, false, true);
    assertThat(
            firstContentPerChunk(
                List.of(
                    "event: message_start\ndata: {}\n\nevent: content_block_start\ndata: {}\n\n",
                    "event: ping\ndata: {\"type\": \"ping\"}\n\n",
                    "event: content_block_delta\ndata: {}\n\n")))
        .containsExactly(false, false, true);
    assertThat(firstContentPerChunk(List.of("data: {\"choices\":[]}\n\n")))
        .describedAs("an unnamed event is content")
        .containsExactly(true);
    assertThat(
            firstContentPerChunk(List.of("event: message_st", "art\ndata: {}\n\n", "data: x\n\n")))
        .describedAs("an event line cut by the read is judged by the part that arrived")
        .containsExactly(false, false, true);
  }

  /** Scans the chunks in order and answers, per chunk, whether it held content. */
  private static List<Boolean> contentPerChunk(List<String> chunks) {
    List<Boolean> out = new ArrayList<>();
    int state = SseScan.INITIAL;
    for (String c : chunks) {
      int r = scan(c, state);
      out.add((r & SseScan.CONTENT) != 0);
      state = r & SseScan.STATE;
    }
    return out;
  }

  @Test
  void aDataEventIsContentAndAPingIsNot() {
    assertThat(scan("data: {\"x\":1}\n\n", SseScan.INITIAL) & SseScan.CONTENT).isNotZero();
    assertThat(scan(": ping\n\n", SseScan.INITIAL) & SseScan.CONTENT).isZero();
    assertThat(scan(":\n\n", SseScan.INITIAL) & SseScan.CONTENT).isZero();
    assertThat(scan("\n", SseScan.INITIAL) & SseScan.CONTENT).isZero();
    assertThat(scan("event: delta\ndata: {}\n\n", SseScan.INITIAL) & SseScan.CONTENT)
        .describedAs("a named event is content; only keep-alives are not")
        .isNotZero();
  }

  @Test
  void aPingBeforeDataInOneChunkIsContent() {
    assertThat(scan(": ping\n\ndata: x\n\n", SseScan.INITIAL) & SseScan.CONTENT).isNotZero();
    assertThat(scan(": ping\r\n\r\ndata: x\r\n\r\n", SseScan.INITIAL) & SseScan.CONTENT)
        .isNotZero();
  }

  @Test
  void linesSplitAcrossChunksKeepTheirKind() {
    assertThat(contentPerChunk(List.of(": pi", "ng\n\n", "da", "ta: 1\n", "\n")))
        .containsExactly(false, false, true, true, false);
    // a comment's continuation that begins with a colon is still the comment
    assertThat(contentPerChunk(List.of(": a", ":b\n\n"))).containsExactly(false, false);
    // a data line's continuation that begins with a colon is still content
    assertThat(contentPerChunk(List.of("data: {\"a\"", ":1}\n\n"))).containsExactly(true, true);
    // a comment cut by the read after content in the same chunk stays a comment
    assertThat(contentPerChunk(List.of("data: 1\n\n: keep", "-alive\n\n", ": ping\n\n")))
        .containsExactly(true, false, false);
  }

  @Test
  void theLastEventIsRecognisedOnlyAtTheEndOfAChunk() {
    assertThat(scan("data: [DONE]\n\n", SseScan.INITIAL) & SseScan.TERMINAL).isNotZero();
    assertThat(scan("data: {\"x\":1}\n\ndata: [DONE]\r\n\r\n", SseScan.INITIAL) & SseScan.TERMINAL)
        .isNotZero();
    assertThat(
            scan("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", SseScan.INITIAL)
                & SseScan.TERMINAL)
        .isNotZero();
    assertThat(scan("data: [DONE]\n\ndata: more\n\n", SseScan.INITIAL) & SseScan.TERMINAL).isZero();
    assertThat(scan("data: [DONE]", SseScan.INITIAL) & SseScan.TERMINAL)
        .describedAs("not yet ended by a line end")
        .isZero();
    assertThat(scan("data: {\"text\":\"x\"}\n\n", SseScan.INITIAL) & SseScan.TERMINAL).isZero();
    assertThat(scan(": [DONE]\n\n", SseScan.INITIAL) & SseScan.TERMINAL)
        .describedAs("a comment is never the last event")
        .isZero();
  }

  @Test
  void theLastEventIsReadByteForByteOnArraysAndBuffers() {
    Map<String, Boolean> chunks =
        Map.of(
            "data: {\"type\":\"message_stop\"}\n\n", true,
            "message_stop\"}\n", true,
            "essage_stop\"}\n", false,
            "data: {\"type\":\"message_stoq\"}\n\n", false,
            "data: {\"type\":\"nessage_stop\"}\n\n", false,
            "data: {\"type\":\"message_sto\"}\n\n", false,
            "[DONE]\n", true,
            "DONE]\n", false,
            "data: [DONF]\n\n", false,
            "data: {\"choices\":[]}\n\n", false);
    chunks.forEach(
        (chunk, last) -> {
          byte[] bytes = ("xx" + chunk + "yy").getBytes(UTF_8);
          int from = 2;
          int to = bytes.length - 2;
          int onArray = SseScan.quick(bytes, from, to, SseScan.INITIAL);
          int onBuffer = SseScan.quick(ByteBuffer.wrap(bytes), from, to, SseScan.INITIAL);
          long scanned = SseScan.scan(ByteBuffer.wrap(bytes), from, to, SseScan.INITIAL, false);
          assertThat(List.of(onArray & SseScan.TERMINAL, onBuffer & SseScan.TERMINAL))
              .describedAs(chunk)
              .containsOnly(last ? SseScan.TERMINAL : 0);
          assertThat((int) scanned & SseScan.TERMINAL)
              .describedAs(chunk)
              .isEqualTo(last ? SseScan.TERMINAL : 0);
        });
  }

  @Test
  void aChunkIsReadInPlaceWithinItsBounds() {
    byte[] b = "xx: ping\n\nyy".getBytes(UTF_8);
    ByteBuffer buffer = ByteBuffer.wrap(b);
    assertThat(SseScan.scan(buffer, 2, 10, SseScan.INITIAL, true) & SseScan.CONTENT).isZero();
    assertThat(buffer.position()).isZero();
    assertThat(buffer.limit()).isEqualTo(b.length);
    ByteBuffer direct = ByteBuffer.allocateDirect(b.length).put(b);
    assertThat(SseScan.scan(direct, 2, 10, SseScan.INITIAL, true) & SseScan.CONTENT).isZero();
    assertThat(SseScan.scan(direct, 0, 10, SseScan.INITIAL, true) & SseScan.CONTENT).isNotZero();
  }

  /** Events of a stream: data, comments, named events, with LF or CRLF line ends. */
  private static Gen<String> events() {
    return integers()
        .between(0, 6)
        .zip(
            integers().between(0, 1),
            (kind, crlf) -> {
              String nl = crlf == 1 ? "\r\n" : "\n";
              switch (kind) {
                case 0:
                  return ": ping" + nl + nl;
                case 1:
                  return ":" + nl + nl;
                case 2:
                  return "data: {\"t\":\":x\"}" + nl + nl;
                case 3:
                  return "event: delta" + nl + "data: {}" + nl + nl;
                case 4:
                  return ": a" + nl + "data: y" + nl + nl;
                case 5:
                  return "event: ping" + nl + "data: {\"type\": \"ping\"}" + nl + nl;
                default:
                  return "data: " + "z".repeat(40) + nl + "data: w" + nl + nl;
              }
            });
  }

  /**
   * However a stream is cut into chunks, each chunk is content exactly when it holds a byte of a
   * line that does not begin with a colon, and the chunks complete as many events, each where its
   * empty line arrives, as reading the whole stream line by line says.
   */
  @Test
  void anyCuttingOfAStreamAgreesWithReadingItWhole() {
    qt().withExamples(3_000)
        .forAll(
            lists().of(events()).ofSizeBetween(1, 8),
            lists().of(integers().between(1, 30)).ofSizeBetween(1, 40))
        .checkAssert(
            (evs, cuts) -> {
              String stream = String.join("", evs);
              boolean[] boundary = boundaries(stream.length(), cuts);
              boolean[] contentByte = contentBytes(stream, boundary);
              boolean[] eventEnd = eventEnds(stream, boundary);
              List<String> chunks = new ArrayList<>();
              List<Boolean> expected = new ArrayList<>();
              List<Integer> expectedEvents = new ArrayList<>();
              int at = 0;
              int k = 0;
              while (at < stream.length()) {
                int end = Math.min(stream.length(), at + cuts.get(k++ % cuts.size()));
                chunks.add(stream.substring(at, end));
                boolean any = false;
                int ends = 0;
                for (int i = at; i < end; i++) {
                  any |= contentByte[i];
                  ends += eventEnd[i] ? 1 : 0;
                }
                expected.add(any);
                expectedEvents.add(ends);
                at = end;
              }
              assertThat(contentPerChunk(chunks)).isEqualTo(expected);
              assertThat(eventsPerChunk(chunks)).isEqualTo(expectedEvents);
            });
  }

  /** Where the chunks of {@code cuts} begin: {@code out[i]} when a chunk begins at {@code i}. */
  private static boolean[] boundaries(int length, List<Integer> cuts) {
    boolean[] out = new boolean[length + 1];
    int at = 0;
    int k = 0;
    while (at < length) {
      out[at] = true;
      at = Math.min(length, at + cuts.get(k++ % cuts.size()));
    }
    return out;
  }

  /**
   * Whether the line from {@code start} to its end at {@code end} is {@code event: ping}, read
   * whole in one chunk (a line a chunk boundary cuts is not taken for a keep-alive).
   */
  private static boolean pingLine(String s, int start, int end, boolean[] boundary) {
    if (!s.substring(start, end).equals("event: ping")) {
      return false;
    }
    for (int i = start + 1; i <= end; i++) {
      if (boundary[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether each character is the line end that completes an event: an empty line's end after a
   * block with a field, the LF of a CRLF belonging to the CR before it.
   */
  private static boolean[] eventEnds(String s, boolean[] boundary) {
    boolean[] out = new boolean[s.length()];
    boolean inEvent = false;
    boolean ping = false;
    boolean afterCr = false;
    int lineStart = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' && afterCr) {
        afterCr = false;
        lineStart = i + 1; // the LF of a CRLF ends no second line
        continue;
      }
      afterCr = c == '\r';
      if (!isLineEnd(c)) {
        continue;
      }
      String line = s.substring(lineStart, i);
      if (line.isEmpty()) {
        out[i] = inEvent && !ping;
        inEvent = false;
        ping = false;
      } else if (pingLine(s, lineStart, i, boundary)) {
        ping = true;
      } else if (line.charAt(0) != ':') {
        inEvent = true;
      }
      lineStart = i + 1;
    }
    return out;
  }

  /**
   * The O(1) reading never takes content for a comment: wherever the exact reading finds content,
   * so does it; it says content where the exact reading does not only for the rest of a line that a
   * content chunk ended inside. Both see the same last event. The quick reading of an array reads
   * what the buffer's does wherever it does not leave the chunk to it, which is most chunks.
   */
  @Test
  void theQuickReadingAgreesWithTheExactOneButForCutLinesAfterContent() {
    int[] arrayReads = {0};
    int[] chunks = {0};
    qt().withExamples(2_000)
        .forAll(
            lists().of(events()).ofSizeBetween(1, 8),
            lists().of(integers().between(1, 30)).ofSizeBetween(1, 40))
        .checkAssert(
            (evs, cuts) -> {
              String stream = String.join("", evs) + "data: [DONE]\n\n";
              int exactState = SseScan.INITIAL;
              int quickState = SseScan.INITIAL;
              boolean cutAfterContent = false;
              int at = 0;
              int k = 0;
              while (at < stream.length()) {
                int end = Math.min(stream.length(), at + cuts.get(k++ % cuts.size()));
                byte[] chunk = stream.substring(at, end).getBytes(UTF_8);
                ByteBuffer b = ByteBuffer.wrap(chunk);
                chunks[0]++;
                int exact = (int) SseScan.scan(b, 0, chunk.length, exactState, false);
                int quick = SseScan.quick(b, 0, chunk.length, quickState);
                int onArray = SseScan.quick(chunk, 0, chunk.length, quickState);
                if (onArray != SseScan.IN_BUFFER) {
                  assertThat(onArray).describedAs("read on the array").isEqualTo(quick);
                  arrayReads[0]++;
                }
                boolean exactContent = (exact & SseScan.CONTENT) != 0;
                boolean quickContent = (quick & SseScan.CONTENT) != 0;
                if (exactContent) {
                  assertThat(quickContent).isTrue();
                } else if (quickContent) {
                  assertThat(cutAfterContent).describedAs("content only past a cut line").isTrue();
                }
                if (end == stream.length() && chunk.length >= "data: [DONE]\n\n".length()) {
                  assertThat(quick & SseScan.TERMINAL).isEqualTo(exact & SseScan.TERMINAL);
                }
                cutAfterContent = quickContent && !isLineEnd(stream.charAt(end - 1));
                exactState = exact & SseScan.STATE;
                quickState = quick & SseScan.STATE;
                at = end;
              }
            });
    assertThat(arrayReads[0]).describedAs("chunks read on the array").isGreaterThan(chunks[0] / 2);
  }

  private static boolean isLineEnd(char c) {
    return c == '\n' || c == '\r';
  }

  /** Whether each character belongs to a non-empty line that does not begin with a colon. */
  private static boolean[] contentBytes(String s, boolean[] boundary) {
    boolean[] out = new boolean[s.length()];
    boolean ping = false;
    boolean afterCr = false;
    int lineStart = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i < s.length() && s.charAt(i) == '\n' && afterCr) {
        afterCr = false;
        lineStart = i + 1; // the LF of a CRLF
        continue;
      }
      afterCr = i < s.length() && s.charAt(i) == '\r';
      if (i == s.length() || isLineEnd(s.charAt(i))) {
        String line = s.substring(lineStart, i);
        if (line.isEmpty()) {
          ping = false; // the block ends
        } else if (i < s.length() && pingLine(s, lineStart, i, boundary)) {
          ping = true;
        }
        boolean content = !line.isEmpty() && line.charAt(0) != ':' && !ping;
        for (int j = lineStart; j < i; j++) {
          out[j] = content;
        }
        lineStart = i + 1;
      }
    }
    return out;
  }
}
