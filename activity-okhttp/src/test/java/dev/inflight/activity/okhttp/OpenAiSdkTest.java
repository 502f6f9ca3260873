package dev.inflight.activity.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official OpenAI SDK as a proxy's backend client, pointed at a local OpenAI-compatible
 * backend: the interceptor added to the SDK's OkHttp client counts what the backend sent.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
class OpenAiSdkTest {

  private static final List<String> CHUNKS =
      List.of(
          chunk("Hel", "null"),
          chunk("lo, ", "null"),
          chunk("world", "\"stop\""),
          "data: [DONE]\n\n");

  private static final String COMPLETION =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
          + "\"model\":\"gpt-4\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
          + "\"content\":\"Hello, world\",\"refusal\":null},\"logprobs\":null,"
          + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,"
          + "\"total_tokens\":6}}";

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private final Reply streamed = Reply.sse(CHUNKS).holdAfter(1);
  private final Reply plain = Reply.json(COMPLETION);
  private StreamingBackend backend;
  private OpenAIClient openai;

  private static String chunk(String content, String finishReason) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"gpt-4\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content
        + "\"},\"logprobs\":null,\"finish_reason\":"
        + finishReason
        + "}]}\n\n";
  }

  @BeforeEach
  void start() throws Exception {
    backend = StreamingBackend.start(body -> body.contains("\"stream\":true") ? streamed : plain);
    openai =
        OpenAIOkHttpClient.builder()
            .baseUrl(backend.baseUrl() + "/v1")
            .apiKey("test-key")
            .maxRetries(0)
            .checkJacksonVersionCompatibility(false)
            .addInterceptor(ActivityInterceptor.create())
            .build();
  }

  @AfterEach
  void stop() {
    openai.close();
    backend.close();
  }

  private ChatCompletionCreateParams params() {
    return ChatCompletionCreateParams.builder().model("gpt-4").addUserMessage("Say hello").build();
  }

  private long rx() {
    return fixture.tracker().getGlobalSnapshot().totalBytesRx();
  }

  @Test
  void aStreamedCompletionCountsWhatTheBackendSentAndGrowsMidStream() {
    RequestActivity activity = fixture.tracker().beginRequest("conv-1");
    activity.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    StringBuilder text = new StringBuilder();

    try (ActivityScope scope = activity.makeCurrent();
        StreamResponse<ChatCompletionChunk> stream =
            openai.chat().completions().createStreaming(params())) {
      Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
      chunks.next().choices().get(0).delta().content().ifPresent(text::append);
      assertThat(rx()).isEqualTo(streamed.bytes(1)); // the backend holds the rest back

      backend.release();
      chunks.forEachRemaining(c -> c.choices().get(0).delta().content().ifPresent(text::append));
    }

    assertThat(text).hasToString("Hello, world");
    assertThat(rx()).isEqualTo(streamed.length()).isEqualTo(backend.bodyBytesSent());
    assertThat(activity.isOpen()).isTrue();
  }

  @Test
  void aPlainCompletionCountsWhatTheBackendSent() {
    RequestActivity activity = fixture.tracker().beginRequest("conv-2");
    activity.attach("openai.1", "gpt-4", ConnectionType.NON_STREAMING);

    ChatCompletion completion;
    try (ActivityScope scope = activity.makeCurrent()) {
      completion = openai.chat().completions().create(params());
    }

    assertThat(completion.choices().get(0).message().content()).contains("Hello, world");
    assertThat(rx()).isEqualTo(plain.length()).isEqualTo(backend.bodyBytesSent());
  }

  @Test
  void closingTheStreamEarlyStopsCounting() {
    RequestActivity activity = fixture.tracker().beginRequest("conv-3");
    activity.attach("openai.1", "gpt-4", ConnectionType.STREAMING);

    try (ActivityScope scope = activity.makeCurrent();
        StreamResponse<ChatCompletionChunk> stream =
            openai.chat().completions().createStreaming(params())) {
      stream.stream().iterator().next();
    }
    backend.release();

    assertThat(rx()).isEqualTo(streamed.bytes(1));
    assertThat(activity.isOpen()).isTrue();
  }
}
