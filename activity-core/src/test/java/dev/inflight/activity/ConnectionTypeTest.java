package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConnectionTypeTest {

  @Test
  void wireNamesRoundTrip() {
    assertThat(ConnectionType.STREAMING.wireName()).isEqualTo("streaming");
    assertThat(ConnectionType.NON_STREAMING.wireName()).isEqualTo("non_streaming");
    for (ConnectionType t : ConnectionType.values()) {
      assertThat(ConnectionType.fromWireName(t.wireName())).isSameAs(t);
    }
  }

  @Test
  void anUnknownWireNameIsRejectedWithTheValue() {
    assertThatThrownBy(() -> ConnectionType.fromWireName("STREAMING"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'STREAMING'");
  }
}
