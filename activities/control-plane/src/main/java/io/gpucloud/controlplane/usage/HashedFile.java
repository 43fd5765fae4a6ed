package io.gpucloud.controlplane.usage;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * One export file being written: to a temporary name beside its final one (so a reader never sees
 * half a file), hashed and counted as the bytes go out (no second read), fsynced, then renamed
 * atomically into place.
 */
final class HashedFile implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final MessageDigest digest;
  private final OutputStream out;
  private long bytes;
  private boolean published;

  HashedFile(Path dir, String name) throws IOException {
    this.target = dir.resolve(name);
    this.temp = dir.resolve("." + name + ".tmp-" + UUID.randomUUID());
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    OutputStream counted = new FilterOutputStream(new DigestOutputStream(Channels.newOutputStream(channel), digest)) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len); // FilterOutputStream would write byte by byte
        bytes += len;
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
        bytes++;
      }
    };
    this.out = new BufferedOutputStream(counted, 1 << 16);
  }

  /** Where the content goes; buffered. Not to be closed by the caller: {@link #finish()} does. */
  OutputStream stream() {
    return out;
  }

  String name() {
    return target.getFileName().toString();
  }

  /** Flushes and fsyncs the temporary file; its hash and size are final after this. */
  void finish() throws IOException {
    out.flush();
    channel.force(true);
    channel.close();
  }

  long bytes() {
    return bytes;
  }

  /** Lower-case hex SHA-256 of the bytes written; call once, after {@link #finish()}. */
  String sha256() {
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Renames the finished file onto its final name, replacing an earlier export atomically. */
  void publish() throws IOException {
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    published = true;
  }

  /** Removes the temporary file unless it was published (a failed export leaves nothing behind). */
  @Override
  public void close() throws IOException {
    if (!published) {
      channel.close();
      Files.deleteIfExists(temp);
    }
  }
}
