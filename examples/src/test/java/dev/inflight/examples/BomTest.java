package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code activity-bom} names every published artifact of the build, at the build's version, and
 * nothing else (no third-party versions leak to whoever imports it).
 */
class BomTest {

  /** Modules that are built but not published. */
  private static final Set<String> UNPUBLISHED =
      Set.of(
          "activity-benchmarks",
          "examples",
          "activity-bom",
          "activity-spring-boot-starter-boot3-test",
          "activity-vertx4-test");

  private static final Path ROOT = Path.of("..");

  private static String read(String file) throws IOException {
    return Files.readString(ROOT.resolve(file));
  }

  private static List<String> all(Pattern p, String text) {
    Matcher m = p.matcher(text);
    List<String> found = new java.util.ArrayList<>();
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  @Test
  void theBomNamesEveryPublishedModuleAndNothingElse() throws IOException {
    String parent = read("pom.xml");
    String bom = read("activity-bom/pom.xml");
    Set<String> published =
        all(Pattern.compile("<module>([^<]+)</module>"), parent).stream()
            .filter(m -> !UNPUBLISHED.contains(m))
            .collect(Collectors.toSet());
    String managed = bom.substring(bom.indexOf("<dependencyManagement>"));

    assertThat(published).isNotEmpty();
    assertThat(Set.copyOf(all(Pattern.compile("<artifactId>([^<]+)</artifactId>"), managed)))
        .isEqualTo(published);
    assertThat(all(Pattern.compile("<groupId>([^<]+)</groupId>"), managed))
        .containsOnly("dev.inflight");
    assertThat(all(Pattern.compile("<version>([^<]+)</version>"), managed))
        .containsOnly("${project.version}");
    assertThat(bom).doesNotContain("<parent>");
  }

  @Test
  void theBomHasTheBuildsVersion() throws IOException {
    Pattern ownVersion =
        Pattern.compile(
            "<artifactId>(?:inflight-parent|activity-bom)</artifactId>\\s*<version>([^<]+)</version>");
    assertThat(all(ownVersion, read("activity-bom/pom.xml")))
        .isEqualTo(all(ownVersion, read("pom.xml")));
  }
}
