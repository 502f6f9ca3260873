package dev.inflight.activity;

import static dev.inflight.activity.Enablement.DISABLE_FLAG;
import static dev.inflight.activity.Enablement.ENABLE_FLAG;
import static dev.inflight.activity.Enablement.ENV_VAR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.Enablement.Source;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnablementTest {

  private static final String KEY = Enablement.CONFIG_KEY;

  static Stream<Arguments> precedence() {
    return Stream.of(
        // args, env, config, expected, source
        Arguments.of(List.of(), Map.of(), Map.of(), false, Source.DEFAULT),
        Arguments.of(List.of(), Map.of(), Map.of(KEY, true), true, Source.CONFIG_FILE),
        Arguments.of(List.of(), Map.of(), Map.of(KEY, "off"), false, Source.CONFIG_FILE),
        Arguments.of(List.of(), Map.of(ENV_VAR, "1"), Map.of(KEY, false), true, Source.ENVIRONMENT),
        Arguments.of(
            List.of(), Map.of(ENV_VAR, "no"), Map.of(KEY, true), false, Source.ENVIRONMENT),
        Arguments.of(
            List.of(), Map.of(ENV_VAR, "  "), Map.of(KEY, "yes"), true, Source.CONFIG_FILE),
        Arguments.of(
            List.of(ENABLE_FLAG), Map.of(ENV_VAR, "0"), Map.of(KEY, false), true, Source.CLI_FLAG),
        Arguments.of(
            List.of(DISABLE_FLAG), Map.of(ENV_VAR, "1"), Map.of(KEY, true), false, Source.CLI_FLAG),
        Arguments.of(
            List.of(ENABLE_FLAG, DISABLE_FLAG), Map.of(), Map.of(), false, Source.CLI_FLAG),
        Arguments.of(
            List.of(DISABLE_FLAG, "--port", ENABLE_FLAG),
            Map.of(),
            Map.of(),
            true,
            Source.CLI_FLAG),
        Arguments.of(
            List.of("--verbose", "serve"),
            Map.of(ENV_VAR, "On"),
            Map.of(),
            true,
            Source.ENVIRONMENT),
        // a higher source wins without even reading the lower, possibly broken, ones
        Arguments.of(
            List.of(ENABLE_FLAG), Map.of(ENV_VAR, "maybe"), Map.of(KEY, 3), true, Source.CLI_FLAG),
        Arguments.of(
            List.of(), Map.of(ENV_VAR, "true"), Map.of(KEY, "maybe"), true, Source.ENVIRONMENT));
  }

  @ParameterizedTest(name = "[{index}] args={0} env={1} config={2} -> {3} from {4}")
  @MethodSource("precedence")
  void cliFlagBeatsEnvironmentBeatsConfigBeatsDefault(
      List<String> args,
      Map<String, String> env,
      Map<String, ?> config,
      boolean enabled,
      Source source) {
    assertThat(Enablement.resolve(args, env, config)).isEqualTo(new Enablement(enabled, source));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "true", "TRUE", " yes ", "On"})
  void trueSpellingsAreAccepted(String value) {
    assertThat(Enablement.parseBoolean(value, "test")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "false", "False", "no", " OFF"})
  void falseSpellingsAreAccepted(String value) {
    assertThat(Enablement.parseBoolean(value, "test")).isFalse();
  }

  @Test
  void aBadEnvironmentValueNamesTheVariableAndTheValue() {
    assertThatThrownBy(() -> Enablement.resolve(List.of(), Map.of(ENV_VAR, "maybe"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("environment variable")
        .hasMessageContaining("ENABLE_ACTIVITY_TRACKING='maybe'")
        .hasMessageContaining("1/true/yes/on");
  }

  @Test
  void aBadConfigStringNamesTheKeyAndTheValue() {
    assertThatThrownBy(() -> Enablement.resolve(List.of(), Map.of(), Map.of(KEY, "enabled")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config file")
        .hasMessageContaining(KEY)
        .hasMessageContaining("enabled");
  }

  @Test
  void aConfigValueThatIsNeitherBooleanNorStringIsRejected() {
    assertThatThrownBy(() -> Enablement.resolve(List.of(), Map.of(), Map.of(KEY, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(KEY)
        .hasMessageContaining("'1'");
  }

  @Test
  void aNullOrEmptyValueIsNotABoolean() {
    assertThatThrownBy(() -> Enablement.parseBoolean(null, "somewhere"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("somewhere");
    assertThatThrownBy(() -> Enablement.parseBoolean("", "somewhere"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSourceIsRequired() {
    assertThatThrownBy(() -> new Enablement(true, null)).isInstanceOf(NullPointerException.class);
  }
}
