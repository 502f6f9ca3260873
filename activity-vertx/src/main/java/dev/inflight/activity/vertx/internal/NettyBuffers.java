package dev.inflight.activity.vertx.internal;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.jspecify.annotations.Nullable;

/**
 * The Netty buffer beneath a Vert.x buffer, on Vert.x 5 and on Vert.x 4.5 alike: Vert.x 5 has
 * {@code getByteBuf()} on its internal {@code BufferInternal}, Vert.x 4.5 on {@link Buffer} itself.
 * Which one is looked up once; the call then goes through a constant method handle, which the
 * compiler inlines like a direct call.
 */
final class NettyBuffers {

  private static final String[] OWNERS = {
    "io.vertx.core.internal.buffer.BufferInternal", // Vert.x 5
    "io.vertx.core.buffer.Buffer" // Vert.x 4.5
  };

  private static final @Nullable Class<?> OWNER;
  private static final @Nullable MethodHandle GET_BYTE_BUF; // (Buffer) ByteBuf

  static {
    Class<?> owner = null;
    MethodHandle get = null;
    for (String name : OWNERS) {
      try {
        Class<?> type = Class.forName(name, false, Buffer.class.getClassLoader());
        get =
            MethodHandles.publicLookup()
                .findVirtual(type, "getByteBuf", MethodType.methodType(ByteBuf.class))
                .asType(MethodType.methodType(ByteBuf.class, Buffer.class));
        owner = type;
        break;
      } catch (ReflectiveOperationException | RuntimeException e) {
        // not this version's; try the next
      }
    }
    OWNER = owner;
    GET_BYTE_BUF = get;
  }

  private NettyBuffers() {}

  /**
   * The Netty buffer beneath {@code buffer}: a view with indices of its own, sharing its bytes.
   *
   * @param buffer a Vert.x buffer
   * @return its Netty buffer, or null for a buffer of another implementation
   */
  static @Nullable ByteBuf of(Buffer buffer) {
    MethodHandle get = GET_BYTE_BUF;
    Class<?> owner = OWNER;
    if (get == null || owner == null || !owner.isInstance(buffer)) {
      return null;
    }
    try {
      return (ByteBuf) get.invokeExact(buffer);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e); // getByteBuf declares no checked exception
    }
  }
}
