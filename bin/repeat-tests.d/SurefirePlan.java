import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Reads a module's pom.xml the way surefire would for one test class: which surefire execution
 * runs it, and that execution's class path excludes, extra class path dependencies, system
 * properties and environment. Prints one line per item for bin/repeat-tests:
 *
 * <pre>
 * execution ID          (also: also-matches ID, for every other execution that runs the class)
 * exclude GROUP:ARTIFACT
 * add GROUP:ARTIFACT:VERSION
 * dependency-plugin VERSION   (the maven-dependency-plugin's, to resolve the added ones)
 * property NAME=VALUE
 * env NAME=VALUE
 * </pre>
 *
 * Usage: java SurefirePlan.java MODULE_DIR TEST_CLASS_FQN [EXECUTION_ID]
 */
public final class SurefirePlan {

  private static final List<String> DEFAULT_INCLUDES =
      List.of("**/Test*.java", "**/*Test.java", "**/*Tests.java", "**/*TestCase.java");

  private final Map<String, String> properties = new LinkedHashMap<>();

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: SurefirePlan MODULE_DIR TEST_CLASS_FQN [EXECUTION_ID]");
      System.exit(2);
    }
    new SurefirePlan().plan(Path.of(args[0]), args[1], args.length > 2 ? args[2] : null);
  }

  private void plan(Path module, String testClass, String wanted) throws Exception {
    Element pom = read(module.resolve("pom.xml"));
    Path parent = module.resolve("../pom.xml").normalize();
    if (Files.isRegularFile(parent)) {
      collectProperties(read(parent));
    }
    collectProperties(pom);
    Element plugin = surefire(pom);
    Element base = plugin == null ? null : child(plugin, "configuration");
    List<Element> executions = new ArrayList<>();
    Element defaultTest = null;
    if (plugin != null && child(plugin, "executions") != null) {
      for (Element e : children(child(plugin, "executions"), "execution")) {
        executions.add(e);
        if ("default-test".equals(text(child(e, "id")))) {
          defaultTest = e;
        }
      }
    }
    List<String> ids = new ArrayList<>();
    List<Element> configs = new ArrayList<>();
    if (defaultTest == null) {
      ids.add("default-test");
      configs.add(null);
    }
    for (Element e : executions) {
      ids.add(text(child(e, "id")));
      configs.add(child(e, "configuration"));
    }
    String path = testClass.replace('.', '/') + ".java";
    String chosen = null;
    Element chosenConfig = null;
    List<String> others = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Element config = configs.get(i);
      boolean runs = wanted != null ? wanted.equals(ids.get(i)) : runs(base, config, path);
      if (!runs) {
        continue;
      }
      if (chosen == null) {
        chosen = ids.get(i);
        chosenConfig = config;
      } else {
        others.add(ids.get(i));
      }
    }
    if (chosen == null) {
      System.err.println(
          wanted != null
              ? "no surefire execution '" + wanted + "' in " + module.resolve("pom.xml")
              : "no surefire execution of " + module.resolve("pom.xml") + " runs " + testClass);
      System.exit(1);
    }
    System.out.println("execution " + chosen);
    for (String other : others) {
      System.out.println("also-matches " + other);
    }
    for (String exclude : values(base, chosenConfig, "classpathDependencyExcludes")) {
      System.out.println("exclude " + exclude);
    }
    for (Element config : nonNull(base, chosenConfig)) {
      Element extra = child(config, "additionalClasspathDependencies");
      if (extra != null) {
        for (Element d : children(extra, "additionalClasspathDependency")) {
          System.out.println(
              "add "
                  + interpolate(text(child(d, "groupId")))
                  + ":"
                  + interpolate(text(child(d, "artifactId")))
                  + ":"
                  + interpolate(text(child(d, "version"))));
        }
      }
    }
    String dependencyPlugin = pluginVersion(pom, "maven-dependency-plugin");
    if (dependencyPlugin == null && Files.isRegularFile(parent)) {
      dependencyPlugin = pluginVersion(read(parent), "maven-dependency-plugin");
    }
    if (dependencyPlugin != null) {
      System.out.println("dependency-plugin " + dependencyPlugin);
    }
    for (Map.Entry<String, String> e : map(base, chosenConfig, "systemPropertyVariables").entrySet()) {
      System.out.println("property " + e.getKey() + "=" + e.getValue());
    }
    for (Map.Entry<String, String> e : map(base, chosenConfig, "environmentVariables").entrySet()) {
      System.out.println("env " + e.getKey() + "=" + e.getValue());
    }
  }

  /** Whether an execution's includes and excludes (or its test parameter) take the class. */
  private boolean runs(Element base, Element config, String path) {
    String test = firstText(config, base, "test");
    List<String> includes = new ArrayList<>();
    List<String> excludes = new ArrayList<>();
    if (test != null) {
      for (String pattern : test.split(",")) {
        pattern = pattern.trim();
        if (pattern.startsWith("!")) {
          excludes.add(pattern.substring(1).trim());
        } else if (!pattern.isEmpty()) {
          includes.add(pattern);
        }
      }
    } else {
      includes.addAll(listOf(config, base, "includes"));
      excludes.addAll(listOf(config, base, "excludes"));
      if (includes.isEmpty()) {
        includes.addAll(DEFAULT_INCLUDES);
      }
    }
    return includes.stream().anyMatch(p -> matches(p, path))
        && excludes.stream().noneMatch(p -> matches(p, path));
  }

  private static boolean matches(String pattern, String path) {
    String p = pattern.replace('.', '/').replaceAll("/java$", ".java");
    if (!p.endsWith(".java") && !p.endsWith(".class")) {
      p = p + ".java";
    }
    p = p.replaceAll("\\.class$", ".java");
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (p.startsWith("**/", i)) {
        regex.append("(?:.*/)?");
        i += 2;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return path.matches(regex.toString()) || path.matches("(?:.*/)?" + regex);
  }

  private List<String> listOf(Element first, Element second, String name) {
    for (Element config : new Element[] {first, second}) {
      if (config != null && child(config, name) != null) {
        List<String> out = new ArrayList<>();
        for (Element e : children(child(config, name), null)) {
          out.add(interpolate(text(e)));
        }
        return out;
      }
    }
    return List.of();
  }

  private String firstText(Element first, Element second, String name) {
    for (Element config : new Element[] {first, second}) {
      if (config != null && child(config, name) != null) {
        return interpolate(text(child(config, name)));
      }
    }
    return null;
  }

  /** A list parameter: the execution's replaces the plugin's, as Maven merges them. */
  private List<String> values(Element base, Element config, String name) {
    return listOf(config, base, name);
  }

  /** A map parameter: the execution's entries over the plugin's, as Maven merges them. */
  private Map<String, String> map(Element base, Element config, String name) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Element c : nonNull(base, config)) {
      Element m = child(c, name);
      if (m != null) {
        for (Element e : children(m, null)) {
          out.put(e.getTagName(), interpolate(text(e)));
        }
      }
    }
    return out;
  }

  private static List<Element> nonNull(Element a, Element b) {
    List<Element> out = new ArrayList<>();
    if (a != null) {
      out.add(a);
    }
    if (b != null) {
      out.add(b);
    }
    return out;
  }

  private String interpolate(String value) {
    Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = properties.getOrDefault(m.group(1), m.group(0));
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    String result = out.toString();
    return result.equals(value) || !result.contains("${") ? result : interpolate(result);
  }

  private void collectProperties(Element pom) {
    Element props = child(pom, "properties");
    if (props != null) {
      for (Element e : children(props, null)) {
        properties.put(e.getTagName(), text(e));
      }
    }
  }

  /** The version a pom gives a plugin, in its plugins or its plugin management, or null. */
  private String pluginVersion(Element pom, String artifactId) {
    Element build = child(pom, "build");
    if (build == null) {
      return null;
    }
    Element management = child(build, "pluginManagement");
    for (Element plugins :
        nonNull(child(build, "plugins"), management == null ? null : child(management, "plugins"))) {
      for (Element plugin : children(plugins, "plugin")) {
        String version = text(child(plugin, "version"));
        if (artifactId.equals(text(child(plugin, "artifactId"))) && !version.isEmpty()) {
          return interpolate(version);
        }
      }
    }
    return null;
  }

  private static Element surefire(Element pom) {
    Element build = child(pom, "build");
    Element plugins = build == null ? null : child(build, "plugins");
    if (plugins == null) {
      return null;
    }
    for (Element plugin : children(plugins, "plugin")) {
      if ("maven-surefire-plugin".equals(text(child(plugin, "artifactId")))) {
        return plugin;
      }
    }
    return null;
  }

  private static Element read(Path pom) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    File file = pom.toFile();
    return factory.newDocumentBuilder().parse(file).getDocumentElement();
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element e) {
    return e == null ? "" : e.getTextContent().trim();
  }
}
