package dev.inflight.activity.json.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The live page's files, read once from this jar: the HTML page and the script, style sheet and
 * icon it loads from the same prefix. The page names each file with a hash of its content ({@code
 * ui/app.js?v=...}), so the files can be cached for long while the page itself is never cached.
 */
public final class LivePage {

  /**
   * The policy every response of the page carries: nothing inline, nothing from another origin, no
   * framing, no forms.
   */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final String ROOT = "/dev/inflight/activity/json/ui/";

  /**
   * One file of the page.
   *
   * @param contentType the {@code Content-Type} to send
   * @param cacheControl the {@code Cache-Control} to send
   * @param body the content
   */
  @SuppressWarnings("ArrayRecordComponent") // read once, never compared
  public record Asset(String contentType, String cacheControl, byte[] body) {}

  private static final class Holder {
    static final Map<String, Asset> ASSETS = load();
  }

  private LivePage() {}

  /**
   * Finds a file of the page.
   *
   * @param name {@code ""} for the page, else the file name after the prefix ({@code app.js})
   * @return the file, or null if there is none by that name
   */
  public static @Nullable Asset find(String name) {
    return Holder.ASSETS.get(name);
  }

  private static Map<String, Asset> load() {
    String forever = "private, max-age=31536000, immutable";
    byte[] js = read("app.js");
    byte[] css = read("app.css");
    byte[] icon = read("icon.svg");
    String html =
        new String(read("index.html"), StandardCharsets.UTF_8)
            .replace("@app.js@", "ui/app.js?v=" + hash(js))
            .replace("@app.css@", "ui/app.css?v=" + hash(css))
            .replace("@icon.svg@", "ui/icon.svg?v=" + hash(icon));
    return Map.of(
        "",
        new Asset("text/html; charset=utf-8", "no-store", html.getBytes(StandardCharsets.UTF_8)),
        "app.js",
        new Asset("text/javascript; charset=utf-8", forever, js),
        "app.css",
        new Asset("text/css; charset=utf-8", forever, css),
        "icon.svg",
        new Asset("image/svg+xml", forever, icon));
  }

  private static byte[] read(String name) {
    try (InputStream in = LivePage.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException("missing from the jar: " + ROOT + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hash(byte[] content) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(content);
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
