package dev.inflight.activity.webflux.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.AtomicLong;
import reactor.netty.http.server.HttpServer;

/**
 * Counts, independently of the code under test, the bytes a Reactor Netty server wrote to its
 * sockets: a handler at the socket end of every connection's pipeline that adds a write's size once
 * the transport reports it written. These are the bytes on the wire before TLS: the HTTP/1.1 head,
 * chunk framing and body, or HTTP/2 frames.
 */
public final class SocketWrites {

  private final AtomicLong written = new AtomicLong();

  /**
   * Installs the counting on every connection the server accepts.
   *
   * @param server the server
   * @return the server, configured
   */
  public HttpServer install(HttpServer server) {
    return server.doOnChannelInit(
        (observer, channel, remote) ->
            channel.pipeline().addFirst("test.socketWrites", new Counter()));
  }

  /**
   * The bytes written so far.
   *
   * @return the bytes the transport reported written, over every connection
   */
  public long written() {
    return written.get();
  }

  private final class Counter extends ChannelOutboundHandlerAdapter {
    @Override
    @SuppressWarnings("FutureReturnValueIgnored")
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      long bytes =
          msg instanceof ByteBuf
              ? ((ByteBuf) msg).readableBytes()
              : msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content().readableBytes() : 0;
      ChannelPromise mine = ctx.newPromise();
      mine.addListener(
          f -> {
            if (f.isSuccess()) {
              written.addAndGet(bytes);
              promise.trySuccess();
            } else {
              promise.tryFailure(f.cause());
            }
          });
      ctx.write(msg, mine);
    }
  }
}
