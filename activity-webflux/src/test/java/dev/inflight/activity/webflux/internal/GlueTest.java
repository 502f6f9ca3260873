package dev.inflight.activity.webflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ConnectionType;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class GlueTest {

  @Test
  void theTypeIsStreamingWhenTheRequestAcceptsServerSentEvents() {
    assertThat(Glue.typeFromAccept(accept("text/event-stream")))
        .isEqualTo(ConnectionType.STREAMING);
    assertThat(Glue.typeFromAccept(accept("application/json, text/event-stream;q=0.5")))
        .isEqualTo(ConnectionType.STREAMING);
    assertThat(Glue.typeFromAccept(accept("TEXT/EVENT-STREAM")))
        .isEqualTo(ConnectionType.STREAMING);
    assertThat(Glue.typeFromAccept(accept("*/*"))).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(Glue.typeFromAccept(accept("application/json")))
        .isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(Glue.typeFromAccept(accept("not a type"))).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(Glue.typeFromAccept(new HttpHeaders())).isEqualTo(ConnectionType.NON_STREAMING);
  }

  private static HttpHeaders accept(String value) {
    HttpHeaders headers = new HttpHeaders();
    headers.add(HttpHeaders.ACCEPT, value);
    return headers;
  }
}
