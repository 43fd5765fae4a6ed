package io.gpucloud.service.common;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import io.gpucloud.service.errors.ErrorBody;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.util.List;

/**
 * Request bodies are at most 1 MiB: 413 {code, message} for a larger one. A declared Content-Length
 * over the limit is refused before anything reads the body; a body without one (chunked) is read
 * through a stream that fails as soon as it passes the limit, and whatever error that read became on
 * its way out (Jackson wraps it) is answered as 413.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class BodyLimitFilter implements ContainerRequestFilter, ContainerResponseFilter {
  private static final String STREAM = BodyLimitFilter.class.getName() + ".stream";
  public static final long MAX_BODY = 1L << 20;
  static final String MESSAGE = "request body over " + MAX_BODY + " bytes (1 MiB)";

  /**
   * A declared body up to this size is read and thrown away before the 413: answered while the client still
   * sends, the connection closes under it and the client sees a reset instead of the answer. A larger one is
   * not read at all.
   */
  static final long DRAIN_MAX = 16L << 20;

  private static void discard(InputStream in) {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try {
      int n;
      while (total <= DRAIN_MAX && (n = in.read(buf)) > 0) {
        total += n;
      }
    } catch (IOException e) {
      // the client went away: nothing to answer
    }
  }

  /** The filter and the mapper of its exception, to register with Jersey. */
  public static List<Object> components() {
    return List.of(new BodyLimitFilter(), new TooLargeMapper());
  }

  @Override
  public void filter(ContainerRequestContext request) {
    String declared = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (declared != null) {
      try {
        long length = Long.parseLong(declared.trim());
        if (length > MAX_BODY) {
          if (length <= DRAIN_MAX) {
            discard(request.getEntityStream());
          }
          request.abortWith(ErrorBody.response(413, MESSAGE));
          return;
        }
      } catch (NumberFormatException e) {
        // the container refuses a malformed Content-Length itself; the bounded stream still applies
      }
    }
    Bounded bounded = new Bounded(request.getEntityStream(), MAX_BODY);
    request.setProperty(STREAM, bounded);
    request.setEntityStream(bounded);
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getProperty(STREAM) instanceof Bounded b && b.exceeded) {
      response.setStatus(413);
      response.getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
      response.setEntity(new ErrorBody(413, MESSAGE), new Annotation[0], MediaType.APPLICATION_JSON_TYPE);
    }
  }

  /** Thrown by the stream past the limit; the response filter turns the request's answer into 413. */
  public static final class TooLarge extends IOException {
    TooLarge() {
      super(MESSAGE);
    }
  }

  /** 413 for the stream's exception where it reaches the mappers as it is (not logged: the client's fault). */
  public static final class TooLargeMapper implements ExceptionMapper<TooLarge> {
    @Override
    public Response toResponse(TooLarge e) {
      return ErrorBody.response(413, MESSAGE);
    }
  }

  /** Counts what is read; past {@code max} bytes throws {@link TooLarge}. */
  static final class Bounded extends FilterInputStream {
    private final long max;
    private long count;
    volatile boolean exceeded;

    Bounded(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        add(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      add(s);
      return s;
    }

    private void add(long n) throws TooLarge {
      count += n;
      if (count > max) {
        exceeded = true;
        throw new TooLarge();
      }
    }
  }
}
