package dev.inflight.activity.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DiagnosticsPortTest {

  @Test
  void thePortOfTheApplicationIsRefusedNamingBothProperties() {
    assertThatThrownBy(() -> DiagnosticsPort.distinctFrom(9001, 9001))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("inflight.activity.diagnostics.port (9001)")
        .hasMessageContaining("server.port 9001");
  }

  @Test
  void anUnsetServerPortIsBootsDefault8080() {
    assertThatThrownBy(() -> DiagnosticsPort.distinctFrom(8080, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server.port unset, Boot's default 8080");
    assertThat(DiagnosticsPort.distinctFrom(9002, null).requested()).isEqualTo(9002);
  }

  @Test
  void aFreePortOnEitherSideNeverClashes() {
    assertThat(DiagnosticsPort.distinctFrom(0, 0).requested()).isZero();
    assertThat(DiagnosticsPort.distinctFrom(0, null).requested()).isZero();
    assertThat(DiagnosticsPort.distinctFrom(9003, 0).requested()).isEqualTo(9003);
  }
}
